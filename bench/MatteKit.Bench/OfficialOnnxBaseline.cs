using Microsoft.ML.OnnxRuntime;

namespace MatteKit.Bench;

/// <summary>
/// The baseline: ONNX Runtime running the official RVM ONNX export as published (dynamic shapes, ratio as an
/// input, refiner always on), fed float32 NCHW frames and its own states back, with the same thread count.
/// </summary>
internal sealed class OfficialOnnxBaseline : IDisposable
{
    private readonly InferenceSession _session;
    private readonly int _width, _height;
    private readonly float[] _ratio;
    private OrtValue[] _states;

    public OfficialOnnxBaseline(string modelPath, int width, int height, double ratio, int threads)
    {
        // The same settings MatteKit's own sessions use.
        var options = MatteKit.Inference.OrtSessionOptions.Create(threads);
        _session = new InferenceSession(modelPath, options);
        (_width, _height, _ratio) = (width, height, new[] { (float)ratio });
        _states = ZeroStates();
    }

    private static OrtValue[] ZeroStates() => Enumerable.Range(0, 4)
        .Select(_ => OrtValue.CreateTensorValueFromMemory(new float[1], new long[] { 1, 1, 1, 1 })).ToArray();

    /// <summary>Interleaved RGB bytes to the float planar input the export takes (done outside the timed call).</summary>
    public float[] ToPlanar(byte[] rgb)
    {
        int plane = _width * _height;
        var planar = new float[3 * plane];
        for (int i = 0; i < plane; i++)
            for (int c = 0; c < 3; c++) planar[c * plane + i] = rgb[3 * i + c] / 255f;
        return planar;
    }

    public void Run(float[] planar)
    {
        using var src = OrtValue.CreateTensorValueFromMemory(planar, new long[] { 1, 3, _height, _width });
        using var ratio = OrtValue.CreateTensorValueFromMemory(_ratio, new long[] { 1 });
        var inputs = new Dictionary<string, OrtValue>
        {
            ["src"] = src, ["r1i"] = _states[0], ["r2i"] = _states[1], ["r3i"] = _states[2], ["r4i"] = _states[3],
            ["downsample_ratio"] = ratio,
        };
        using var runOptions = new RunOptions();
        var outputs = _session.Run(runOptions, inputs, _session.OutputNames);
        foreach (var s in _states) s.Dispose();
        // Outputs: fgr, pha, r1o..r4o; keep the states, drop the rest.
        _states = outputs.Skip(2).ToArray();
        outputs[0].Dispose();
        outputs[1].Dispose();
    }

    public void Dispose()
    {
        foreach (var s in _states) s.Dispose();
        _session.Dispose();
    }
}
