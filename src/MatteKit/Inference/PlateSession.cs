using MatteKit.Bgm;
using Microsoft.ML.OnnxRuntime;

namespace MatteKit.Inference;

/// <summary>
/// One ONNX Runtime session of BGMv2 for one frame size and refine setting, with frame, plate and every output bound
/// to buffers allocated once.
/// </summary>
internal sealed class PlateSession : IDisposable
{
    private readonly BoundSession _session;
    private readonly byte[] _frame;
    private readonly byte[] _plate;
    private readonly float[] _alpha, _foreground, _error, _refined;

    public PlateSession(BgmNetwork network, BgmGeometry geometry, SessionOptions options)
    {
        Geometry = geometry;
        var graph = network.BuildModel(geometry);
        ConvMultiplyAdds = graph.ConvMultiplyAdds;
        _session = BoundSession.FromGraph(graph.OnnxBytes, options);
        try
        {
            long w = geometry.FrameWidth, h = geometry.FrameHeight;
            _frame = _session.BindInput<byte>("src", 1, h, w, 3);
            _plate = _session.BindInput<byte>("bgr", 1, h, w, 3);
            _alpha = _session.BindOutput<float>("pha", 1, 1, h, w);
            _foreground = _session.BindOutput<float>("fgr", 1, 3, h, w);
            _session.BindOutput<float>("pha_sm", 1, 1, geometry.BaseHeight, geometry.BaseWidth);
            _session.BindOutput<float>("fgr_sm", 1, 3, geometry.BaseHeight, geometry.BaseWidth);
            _error = _session.BindOutput<float>("err_sm", 1, 1, geometry.BaseHeight, geometry.BaseWidth);
            _refined = _session.BindOutput<float>("ref_sm", 1, 1, geometry.QuarterHeight, geometry.QuarterWidth);
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    public BgmGeometry Geometry { get; }
    public long ConvMultiplyAdds { get; }

    public ReadOnlySpan<float> Alpha => _alpha;
    public ReadOnlySpan<float> Foreground => _foreground;
    public ReadOnlySpan<float> Error => _error;
    public ReadOnlySpan<float> Refined => _refined;

    public void Run(ReadOnlySpan<byte> frame, ReadOnlySpan<byte> plate)
    {
        frame.CopyTo(_frame);
        plate.CopyTo(_plate);
        _session.Run();
    }

    public void Dispose() => _session.Dispose();
}
