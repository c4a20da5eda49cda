using MatteKit.Rvm;
using Microsoft.ML.OnnxRuntime;

namespace MatteKit.Inference;

/// <summary>
/// One ONNX Runtime session for one frame size and ratio, with every input and output bound to buffers
/// allocated once: the frame bytes, fgr, pha, and two sets of recurrent states that swap roles each frame
/// (this frame's outputs are the next frame's inputs, without copying).
/// </summary>
internal sealed class MatteSession : IDisposable
{
    private static readonly string[] InputNames = { "src", "r1i", "r2i", "r3i", "r4i" };
    private static readonly string[] OutputNames = { "fgr", "pha", "r1o", "r2o", "r3o", "r4o" };

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly byte[] _source;
    private readonly OrtValue _sourceValue;
    private readonly float[] _foreground;
    private readonly float[] _alpha;
    private readonly OrtValue _foregroundValue;
    private readonly OrtValue _alphaValue;
    private readonly float[][][] _states = new float[2][][];
    private readonly OrtValue[][] _stateValues = new OrtValue[2][];
    private readonly OrtValue[] _inputs = new OrtValue[5];
    private readonly OrtValue[] _outputs = new OrtValue[6];
    private int _current;

    public MatteSession(RvmNetwork network, RvmGeometry geometry, SessionOptions options)
    {
        Geometry = geometry;
        var graph = network.BuildModel(geometry, SourceFormat.Rgb24);
        ConvMultiplyAdds = graph.ConvMultiplyAdds;
        _session = new InferenceSession(graph.OnnxBytes, options);

        int w = geometry.FrameWidth, h = geometry.FrameHeight;
        _source = new byte[w * h * 3];
        _sourceValue = OrtValue.CreateTensorValueFromMemory(_source, new long[] { 1, h, w, 3 });
        _foreground = new float[3 * w * h];
        _alpha = new float[w * h];
        _foregroundValue = OrtValue.CreateTensorValueFromMemory(_foreground, new long[] { 1, 3, h, w });
        _alphaValue = OrtValue.CreateTensorValueFromMemory(_alpha, new long[] { 1, 1, h, w });
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
    public long ConvMultiplyAdds { get; }

    public ReadOnlySpan<float> Foreground => _foreground;
    public ReadOnlySpan<float> Alpha => _alpha;

    /// <summary>The recurrent state the next frame will start from (r1..r4).</summary>
    public ReadOnlySpan<float> State(int index) => _states[_current][index];

    public void Run(ReadOnlySpan<byte> rgb24)
    {
        rgb24.CopyTo(_source);
        int next = 1 - _current;
        _inputs[0] = _sourceValue;
        _outputs[0] = _foregroundValue;
        _outputs[1] = _alphaValue;
        for (int i = 0; i < 4; i++)
        {
            _inputs[1 + i] = _stateValues[_current][i];
            _outputs[2 + i] = _stateValues[next][i];
        }
        _session.Run(_runOptions, InputNames, _inputs, OutputNames, _outputs);
        _current = next;
    }

    public void ResetState()
    {
        foreach (var s in _states[_current]) Array.Clear(s);
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
        _sourceValue.Dispose();
        _foregroundValue.Dispose();
        _alphaValue.Dispose();
        foreach (var set in _stateValues)
            foreach (var v in set) v.Dispose();
    }
}
