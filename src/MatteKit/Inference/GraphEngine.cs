using MatteKit.Onnx;
using MatteKit.Rvm;
using Microsoft.ML.OnnxRuntime;

namespace MatteKit.Inference;

/// <summary>
/// Runs the graph MatteKit builds from weights: one session per frame size, ratio, pass and frames per call, the
/// most recently used few kept. Sessions of one size (float or byte results alike) share the recurrent state, so a clip can go through chunks of
/// different lengths (the last one shorter) or switch pass without breaking its sequence.
/// </summary>
internal sealed class GraphEngine : IMatteEngine
{
    private readonly RvmNetwork _network;
    private readonly SessionOptions _sessionOptions;
    private readonly Int8Quantization? _int8;
    private readonly SessionCache<MatteSession> _sessions;
    private MatteSession? _current;

    public GraphEngine(RvmNetwork network, SessionOptions sessionOptions, int maxCachedSizes, Int8Quantization? int8 = null)
    {
        _int8 = int8;
        _network = network;
        _sessionOptions = sessionOptions;
        _sessions = new SessionCache<MatteSession>(maxCachedSizes);
    }

    public string Source => _network.Source;

    public RvmGeometry? CurrentGeometry => _current?.Geometry;

    public bool HasSegmentation => _network.HasSegmentation;

    public long ConvMultiplyAdds => _current?.ConvMultiplyAdds ?? 0;

    public MatteResult Process(ReadOnlySpan<byte> rgb24, int width, int height, double? downsampleRatio)
        => ProcessChunk(rgb24, 1, width, height, downsampleRatio).Frame(0);

    public MatteChunk ProcessChunk(ReadOnlySpan<byte> framesRgb24, int frames, int width, int height, double? downsampleRatio)
    {
        double ratio = downsampleRatio ?? RvmGeometry.AutoRatio(width, height);
        var session = SessionFor(width, height, ratio, NetworkPass.Matting, MatteOutputs.Combined, frames);
        session.Run(framesRgb24);
        return new MatteChunk(frames, width, height, ratio, session.FloatResult(0));
    }

    public MatteBytes ProcessChunkToBytes(ReadOnlySpan<byte> framesRgb24, int frames, int width, int height, double? downsampleRatio)
    {
        double ratio = downsampleRatio ?? RvmGeometry.AutoRatio(width, height);
        var session = SessionFor(width, height, ratio, NetworkPass.Matting, MatteOutputs.Bytes, frames);
        session.Run(framesRgb24);
        return new MatteBytes(frames, width, height, ratio, session.ByteResult(0), session.ByteResult(1));
    }

    public SegmentationResult Segment(ReadOnlySpan<byte> rgb24, int width, int height, double? downsampleRatio)
    {
        if (!_network.HasSegmentation)
            throw new ArgumentException($"{_network.Source}: these weights have no segmentation head ('project_seg'); " +
                "the official TF.js model has none, the official .pth files have one");
        double ratio = downsampleRatio ?? RvmGeometry.AutoRatio(width, height);
        var session = SessionFor(width, height, ratio, NetworkPass.Segmentation, MatteOutputs.Combined, 1);
        session.Run(rgb24);
        var geo = session.Geometry;
        return new SegmentationResult(width, height, ratio, geo.NetworkWidth, geo.NetworkHeight, session.FloatResult(0), session.FloatResult(1));
    }

    public void Reset()
    {
        foreach (var s in _sessions.All) s.ResetState();
    }

    public ReadOnlySpan<float> RecurrentState(int index) => _current is null ? ReadOnlySpan<float>.Empty : _current.State(index);

    private MatteSession SessionFor(int width, int height, double ratio, NetworkPass pass, MatteOutputs outputs, int frames)
        // The steady state (same size and kind as the last frame) allocates nothing: no closure on this path.
        => _current is { } c && Fits(c, width, height, ratio, pass, outputs, frames) ? c : Switch(width, height, ratio, pass, outputs, frames);

    private static bool Fits(MatteSession s, int width, int height, double ratio, NetworkPass pass, MatteOutputs outputs, int frames)
        => s.Pass == pass && s.Outputs == outputs && s.Frames == frames && s.Geometry.Matches(width, height, ratio);

    private MatteSession Switch(int width, int height, double ratio, NetworkPass pass, MatteOutputs outputs, int frames)
    {
        var session = _sessions.Get(s => Fits(s, width, height, ratio, pass, outputs, frames),
            () => new MatteSession(_network, _network.Geometry(width, height, ratio), pass, outputs, frames, _sessionOptions, _int8),
            s =>
            {
                // The official model carries one state through both passes and any chunking; another size breaks the sequence.
                if (_current is not null && _current.Geometry.Matches(width, height, ratio)) s.CopyStateFrom(_current);
                else s.ResetState();
            });
        _current = session;
        return session;
    }

    public void Dispose()
    {
        _sessions.Dispose();
    }
}
