using MatteKit.Rvm;
using Microsoft.ML.OnnxRuntime;

namespace MatteKit.Inference;

/// <summary>
/// One ONNX Runtime session for one frame size, ratio, pass, output kind and number of frames per call, with every
/// input and output bound to buffers allocated once: the frames' bytes (as R, G and B planes), the pass's results (the 4-channel matte as
/// floats, foreground and alpha as bytes, or seg logits and probability), and two sets of recurrent states that
/// swap roles each call (this call's outputs are the next call's inputs, without copying).
/// </summary>
internal sealed class MatteSession : IDisposable
{
    private static readonly string[] InputNames = { "src", "r1i", "r2i", "r3i", "r4i" };
    private static readonly string[] StateOutputNames = { "r1o", "r2o", "r3o", "r4o" };

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _outputNames;
    private readonly byte[] _source;
    private readonly OrtValue _sourceValue;
    private readonly Array[] _results;
    private readonly OrtValue[] _resultValues;
    private readonly float[][][] _states = new float[2][][];
    private readonly OrtValue[][] _stateValues = new OrtValue[2][];
    private readonly OrtValue[] _inputs = new OrtValue[5];
    private readonly OrtValue[] _outputs;
    private int _current;

    public MatteSession(RvmNetwork network, RvmGeometry geometry, NetworkPass pass, MatteOutputs outputs, int frames, SessionOptions options)
    {
        Geometry = geometry;
        Pass = pass;
        Outputs = outputs;
        Frames = frames;
        var graph = RvmGraph.Build(network, geometry, SourceFormat.PlanarBytes, pass, frames, outputs);
        ConvMultiplyAdds = graph.ConvMultiplyAdds;
        _session = new InferenceSession(graph.OnnxBytes, options);

        int w = geometry.FrameWidth, h = geometry.FrameHeight;
        _source = new byte[frames * w * h * 3];
        _sourceValue = OrtValue.CreateTensorValueFromMemory(_source, new long[] { frames, 3, h, w });
        (string Name, Array Buffer, long[] Shape)[] results;
        if (pass == NetworkPass.Segmentation)
            results = new[]
            {
                ("seg", (Array)new float[frames * geometry.NetworkHeight * geometry.NetworkWidth], new long[] { frames, 1, geometry.NetworkHeight, geometry.NetworkWidth }),
                ("seg_probability", new float[frames * h * w], new long[] { frames, 1, h, w }),
            };
        else if (outputs == MatteOutputs.Bytes)
            results = new[]
            {
                ("fgr", (Array)new byte[frames * h * w * 3], new long[] { frames, h, w, 3 }),
                ("pha", new byte[frames * h * w], new long[] { frames, 1, h, w }),
            };
        else if (outputs == MatteOutputs.Combined)
            results = new[] { ("matte", (Array)new float[frames * 4 * h * w], new long[] { frames, 4, h, w }) };
        else
            throw new ArgumentOutOfRangeException(nameof(outputs), outputs, "sessions hand out the matte combined or as bytes");

        _outputNames = results.Select(r => r.Name).Concat(StateOutputNames).ToArray();
        _results = results.Select(r => r.Buffer).ToArray();
        _resultValues = results.Select(r => r.Buffer is float[] f
            ? OrtValue.CreateTensorValueFromMemory(f, r.Shape)
            : OrtValue.CreateTensorValueFromMemory((byte[])r.Buffer, r.Shape)).ToArray();
        _outputs = new OrtValue[_outputNames.Length];
        for (int set = 0; set < 2; set++)
        {
            _states[set] = new float[4][];
            _stateValues[set] = new OrtValue[4];
            for (int i = 0; i < 4; i++)
            {
                var shape = geometry.StateShapes[i];
                _states[set][i] = new float[shape.Aggregate(1, (a, b) => a * b)];
                _stateValues[set][i] = OrtValue.CreateTensorValueFromMemory(_states[set][i], shape.Select(d => (long)d).ToArray());
            }
        }
    }

    public RvmGeometry Geometry { get; }
    public NetworkPass Pass { get; }
    public MatteOutputs Outputs { get; }

    /// <summary>Frames per call (T).</summary>
    public int Frames { get; }
    public long ConvMultiplyAdds { get; }

    /// <summary>
    /// Float results, frame after frame: matting (combined) has one, the matte [4, H, W] per frame; segmentation has
    /// the logits at network resolution (0) and the probability map at frame resolution (1).
    /// </summary>
    public ReadOnlySpan<float> FloatResult(int index) => (float[])_results[index];

    /// <summary>Byte results of matting, frame after frame: interleaved RGB foreground (0) and alpha (1).</summary>
    public ReadOnlySpan<byte> ByteResult(int index) => (byte[])_results[index];

    /// <summary>The recurrent state the next frame will start from (r1..r4).</summary>
    public ReadOnlySpan<float> State(int index) => _states[_current][index];

    /// <param name="rgb24">The call's frames, one after the other, interleaved RGB.</param>
    public void Run(ReadOnlySpan<byte> rgb24)
    {
        int frameBytes = _source.Length / Frames;
        for (int f = 0; f < Frames; f++)
            RgbPlanes.Split(rgb24.Slice(f * frameBytes, frameBytes), _source.AsSpan(f * frameBytes, frameBytes));
        int next = 1 - _current;
        _inputs[0] = _sourceValue;
        int results = _resultValues.Length;
        for (int i = 0; i < results; i++) _outputs[i] = _resultValues[i];
        for (int i = 0; i < 4; i++)
        {
            _inputs[1 + i] = _stateValues[_current][i];
            _outputs[results + i] = _stateValues[next][i];
        }
        _session.Run(_runOptions, InputNames, _inputs, _outputNames, _outputs);
        _current = next;
    }

    public void ResetState()
    {
        foreach (var s in _states[_current]) Array.Clear(s);
    }

    /// <summary>Continues from another session's state (same geometry, other pass or frames per call): they share the recurrence.</summary>
    public void CopyStateFrom(MatteSession other)
    {
        for (int i = 0; i < 4; i++) other.State(i).CopyTo(_states[_current][i]);
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
        _sourceValue.Dispose();
        foreach (var v in _resultValues) v.Dispose();
        foreach (var set in _stateValues)
            foreach (var v in set) v.Dispose();
    }
}
