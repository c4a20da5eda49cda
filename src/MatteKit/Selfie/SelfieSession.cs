using MatteKit.Inference;
using Microsoft.ML.OnnxRuntime;

namespace MatteKit.Selfie;

/// <summary>
/// One ONNX Runtime session of a <see cref="SelfieGraph"/> for one frame size, with its inputs and outputs bound to
/// buffers allocated once; the smoothed probability is kept in two buffers that swap roles each call.
/// </summary>
internal sealed class SelfieSession : IDisposable
{
    private static readonly string[] InputNames = { "src", "prev", "keep" };
    private static readonly string[] OutputNames = { "pha", "next" };

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly byte[] _source;
    private readonly byte[] _alpha;
    private readonly float[] _keep = new float[1];
    private readonly float[][] _masks = new float[2][];
    private readonly OrtValue _sourceValue, _alphaValue, _keepValue;
    private readonly OrtValue[] _maskValues = new OrtValue[2];
    private readonly OrtValue[] _inputs = new OrtValue[3];
    private readonly OrtValue[] _outputs = new OrtValue[2];
    private int _current;
    private bool _hasPrevious;

    public SelfieSession(SelfieNetwork network, int width, int height, SelfieEdge edge, SessionOptions options)
    {
        Width = width;
        Height = height;
        var graph = SelfieGraph.Build(network, width, height, edge);
        ConvMultiplyAdds = graph.ConvMultiplyAdds;
        try
        {
            _session = new InferenceSession(graph.OnnxBytes, options);
        }
        catch (OnnxRuntimeException e)
        {
            // The translation checks what it can; anything ONNX Runtime still refuses is the file's doing too.
            throw new WeightsFormatException(network.Source, $"ONNX Runtime refuses the translated network: {e.Message.ReplaceLineEndings(" ")}", e);
        }
        _source = new byte[3 * width * height];
        _alpha = new byte[width * height];
        _sourceValue = OrtValue.CreateTensorValueFromMemory(_source, new long[] { 1, 3, height, width });
        _alphaValue = OrtValue.CreateTensorValueFromMemory(_alpha, new long[] { 1, 1, height, width });
        _keepValue = OrtValue.CreateTensorValueFromMemory(_keep, new long[] { 1 });
        for (int i = 0; i < 2; i++)
        {
            _masks[i] = new float[network.Width * network.Height];
            _maskValues[i] = OrtValue.CreateTensorValueFromMemory(_masks[i], new long[] { 1, 1, network.Height, network.Width });
        }
    }

    public int Width { get; }
    public int Height { get; }
    public long ConvMultiplyAdds { get; }

    /// <summary>The last frame's mask, one byte a pixel.</summary>
    public ReadOnlySpan<byte> Alpha => _alpha;

    /// <param name="rgb24">The frame, interleaved 8-bit RGB at the session's size.</param>
    /// <param name="smoothing">Share of the previous frame's probability in this one's (0: none); ignored on a first frame.</param>
    public void Run(ReadOnlySpan<byte> rgb24, float smoothing)
    {
        RgbPlanes.Split(rgb24, _source);
        _keep[0] = _hasPrevious ? smoothing : 0f;
        int next = 1 - _current;
        _inputs[0] = _sourceValue;
        _inputs[1] = _maskValues[_current];
        _inputs[2] = _keepValue;
        _outputs[0] = _alphaValue;
        _outputs[1] = _maskValues[next];
        _session.Run(_runOptions, InputNames, _inputs, OutputNames, _outputs);
        _current = next;
        _hasPrevious = true;
    }

    /// <summary>The next frame starts a new sequence: nothing is blended into it.</summary>
    public void Reset() => _hasPrevious = false;

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
        _sourceValue.Dispose();
        _alphaValue.Dispose();
        _keepValue.Dispose();
        foreach (var v in _maskValues) v.Dispose();
    }
}
