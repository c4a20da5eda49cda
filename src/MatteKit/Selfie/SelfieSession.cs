using MatteKit.Inference;
using Microsoft.ML.OnnxRuntime;

namespace MatteKit.Selfie;

/// <summary>
/// One ONNX Runtime session of a <see cref="SelfieGraph"/> for one frame size, with its inputs and outputs bound to
/// buffers allocated once; the smoothed probability is kept in two buffers that swap roles each call.
/// </summary>
internal sealed class SelfieSession : IDisposable
{
    private readonly BoundSession _session;
    private readonly byte[] _source;
    private readonly byte[] _alpha;
    private readonly float[] _keep;
    private bool _hasPrevious;

    public SelfieSession(SelfieNetwork network, int width, int height, SelfieEdge edge, SessionOptions options)
    {
        Width = width;
        Height = height;
        var graph = SelfieGraph.Build(network, width, height, edge);
        ConvMultiplyAdds = graph.ConvMultiplyAdds;
        try
        {
            _session = BoundSession.FromGraph(graph.OnnxBytes, options);
        }
        catch (OnnxRuntimeException e)
        {
            // The translation checks what it can; anything ONNX Runtime still refuses is the file's doing too.
            throw new WeightsFormatException(network.Source, $"ONNX Runtime refuses the translated network: {e.Message.ReplaceLineEndings(" ")}", e);
        }
        try
        {
            _source = _session.BindInput<byte>("src", 1, 3, height, width);
            _keep = _session.BindInput<float>("keep", 1);
            _alpha = _session.BindOutput<byte>("pha", 1, 1, height, width);
            _session.BindFedBack("prev", "next", 1, 1, network.Height, network.Width);
        }
        catch
        {
            _session.Dispose();
            throw;
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
        _session.Run();
        _hasPrevious = true;
    }

    /// <summary>The next frame starts a new sequence: nothing is blended into it.</summary>
    public void Reset() => _hasPrevious = false;

    public void Dispose() => _session.Dispose();
}
