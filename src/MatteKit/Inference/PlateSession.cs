using MatteKit.Bgm;
using Microsoft.ML.OnnxRuntime;

namespace MatteKit.Inference;

/// <summary>
/// One ONNX Runtime session of BGMv2 for one frame size and refine setting, with frame, plate and every output bound
/// to buffers allocated once.
/// </summary>
internal sealed class PlateSession : IDisposable
{
    private static readonly string[] InputNames = { "src", "bgr" };
    private static readonly string[] OutputNames = { "pha", "fgr", "pha_sm", "fgr_sm", "err_sm", "ref_sm" };

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly byte[] _frame;
    private readonly byte[] _plate;
    private readonly float[][] _outputs;
    private readonly OrtValue[] _inputValues;
    private readonly OrtValue[] _outputValues;

    public PlateSession(BgmNetwork network, BgmGeometry geometry, SessionOptions options)
    {
        Geometry = geometry;
        var graph = network.BuildModel(geometry);
        ConvMultiplyAdds = graph.ConvMultiplyAdds;
        _session = new InferenceSession(graph.OnnxBytes, options);

        long w = geometry.FrameWidth, h = geometry.FrameHeight;
        _frame = new byte[w * h * 3];
        _plate = new byte[w * h * 3];
        var frameShape = new[] { 1, h, w, 3 };
        _inputValues = new[]
        {
            OrtValue.CreateTensorValueFromMemory(_frame, frameShape),
            OrtValue.CreateTensorValueFromMemory(_plate, frameShape),
        };
        long[][] shapes =
        {
            new[] { 1, 1, h, w },
            new[] { 1, 3, h, w },
            new long[] { 1, 1, geometry.BaseHeight, geometry.BaseWidth },
            new long[] { 1, 3, geometry.BaseHeight, geometry.BaseWidth },
            new long[] { 1, 1, geometry.BaseHeight, geometry.BaseWidth },
            new long[] { 1, 1, geometry.QuarterHeight, geometry.QuarterWidth },
        };
        _outputs = shapes.Select(s => new float[s.Aggregate(1L, (a, b) => a * b)]).ToArray();
        _outputValues = shapes.Select((s, i) => OrtValue.CreateTensorValueFromMemory(_outputs[i], s)).ToArray();
    }

    public BgmGeometry Geometry { get; }
    public long ConvMultiplyAdds { get; }

    public ReadOnlySpan<float> Alpha => _outputs[0];
    public ReadOnlySpan<float> Foreground => _outputs[1];
    public ReadOnlySpan<float> Error => _outputs[4];
    public ReadOnlySpan<float> Refined => _outputs[5];

    public void Run(ReadOnlySpan<byte> frame, ReadOnlySpan<byte> plate)
    {
        frame.CopyTo(_frame);
        plate.CopyTo(_plate);
        _session.Run(_runOptions, InputNames, _inputValues, OutputNames, _outputValues);
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
        foreach (var v in _inputValues) v.Dispose();
        foreach (var v in _outputValues) v.Dispose();
    }
}
