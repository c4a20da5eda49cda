using MatteKit.Rvm;
using Microsoft.ML.OnnxRuntime;

namespace MatteKit.Inference;

/// <summary>
/// One ONNX Runtime session for one frame size, ratio, pass and number of frames per call, with every input and
/// output bound to buffers allocated once: the frames' bytes, the two outputs of the pass (fgr and pha, or seg
/// logits and probability), and two sets of recurrent states that swap roles each call (this call's outputs are
/// the next call's inputs, without copying).
/// </summary>
internal sealed class MatteSession : IDisposable
{
    private static readonly string[] InputNames = { "src", "r1i", "r2i", "r3i", "r4i" };

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _outputNames;
    private readonly byte[] _source;
    private readonly OrtValue _sourceValue;
    private readonly float[][] _results = new float[2][];
    private readonly OrtValue[] _resultValues = new OrtValue[2];
    private readonly float[][][] _states = new float[2][][];
    private readonly OrtValue[][] _stateValues = new OrtValue[2][];
    private readonly OrtValue[] _inputs = new OrtValue[5];
    private readonly OrtValue[] _outputs = new OrtValue[6];
    private int _current;

    public MatteSession(RvmNetwork network, RvmGeometry geometry, NetworkPass pass, int frames, SessionOptions options)
    {
        Geometry = geometry;
        Pass = pass;
        Frames = frames;
        var graph = network.BuildModel(geometry, SourceFormat.Rgb24, pass, frames);
        ConvMultiplyAdds = graph.ConvMultiplyAdds;
        _session = new InferenceSession(graph.OnnxBytes, options);

        int w = geometry.FrameWidth, h = geometry.FrameHeight;
        _source = new byte[frames * w * h * 3];
        _sourceValue = OrtValue.CreateTensorValueFromMemory(_source, new long[] { frames, h, w, 3 });
        long[][] resultShapes;
        if (pass == NetworkPass.Matting)
        {
            _outputNames = new[] { "fgr", "pha", "r1o", "r2o", "r3o", "r4o" };
            resultShapes = new[] { new long[] { frames, 3, h, w }, new long[] { frames, 1, h, w } };
        }
        else
        {
            _outputNames = new[] { "seg", "seg_probability", "r1o", "r2o", "r3o", "r4o" };
            resultShapes = new[] { new long[] { frames, 1, geometry.NetworkHeight, geometry.NetworkWidth }, new long[] { frames, 1, h, w } };
        }
        for (int i = 0; i < 2; i++)
        {
            _results[i] = new float[resultShapes[i].Aggregate(1L, (a, b) => a * b)];
            _resultValues[i] = OrtValue.CreateTensorValueFromMemory(_results[i], resultShapes[i]);
        }
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

    /// <summary>Frames per call (T).</summary>
    public int Frames { get; }
    public long ConvMultiplyAdds { get; }

    /// <summary>Matting: fgr (planar RGB); segmentation: seg logits at network resolution. Frame after frame.</summary>
    public ReadOnlySpan<float> First => _results[0];

    /// <summary>Matting: pha; segmentation: the probability map at frame resolution.</summary>
    public ReadOnlySpan<float> Second => _results[1];

    /// <summary>The recurrent state the next frame will start from (r1..r4).</summary>
    public ReadOnlySpan<float> State(int index) => _states[_current][index];

    /// <param name="rgb24">The call's frames, one after the other.</param>
    public void Run(ReadOnlySpan<byte> rgb24)
    {
        rgb24.CopyTo(_source);
        int next = 1 - _current;
        _inputs[0] = _sourceValue;
        _outputs[0] = _resultValues[0];
        _outputs[1] = _resultValues[1];
        for (int i = 0; i < 4; i++)
        {
            _inputs[1 + i] = _stateValues[_current][i];
            _outputs[2 + i] = _stateValues[next][i];
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
