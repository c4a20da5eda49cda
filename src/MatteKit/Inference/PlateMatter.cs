using MatteKit.Inference;
using MatteKit.Bgm;
using Microsoft.ML.OnnxRuntime;

namespace MatteKit;

/// <summary>
/// Mattes frames against a captured background plate (the same shot without the person) with BackgroundMattingV2.
/// <code>
/// using var matter = PlateMatter.Load("pytorch_mobilenetv2.pth");
/// var result = matter.Process(frameRgb24, plateRgb24, width, height);
/// </code>
/// Each frame stands alone (no temporal state). Not thread-safe: one instance per stream.
/// </summary>
public sealed class PlateMatter : IDisposable
{
    private readonly BgmNetwork _network;
    private readonly PlateMatterOptions _options;
    private readonly SessionOptions _sessionOptions;
    private readonly SessionCache<PlateSession> _sessions;

    private PlateMatter(BgmNetwork network, PlateMatterOptions options)
    {
        _network = network;
        _options = options;
        options.Validate();
        _sessionOptions = OrtSessionOptions.Create(options.Threads);
        _sessions = new SessionCache<PlateSession>(options.MaxCachedSizes);
    }

    /// <summary>Loads an official BGMv2 PyTorch checkpoint (<c>pytorch_mobilenetv2.pth</c>, <c>pytorch_resnet50.pth</c>, <c>pytorch_resnet101.pth</c>).</summary>
    /// <exception cref="WeightsFormatException">The file cannot be read or is not a BGMv2 model; the message names it.</exception>
    public static PlateMatter Load(string weightsPath, PlateMatterOptions? options = null)
        => Load(WeightsFile.Load(weightsPath), options);

    public static PlateMatter Load(WeightSet weights, PlateMatterOptions? options = null)
        => new(BgmNetwork.FromWeights(weights), options ?? new PlateMatterOptions());

    internal BgmBackbone Backbone => _network.Backbone;
    public string WeightsSource => _network.Source;

    /// <summary>Multiply-adds of the convolutions outside the refiner's patches for the size processed last.</summary>
    public long ConvMultiplyAdds => _sessions.MostRecent?.ConvMultiplyAdds ?? 0;

    /// <summary>
    /// Mattes one frame against the plate, both interleaved 8-bit RGB of <paramref name="width"/> x <paramref name="height"/>.
    /// Any size works: frames whose sides are not multiples of 4 are padded by repeating their edges.
    /// </summary>
    public PlateMatteResult Process(ReadOnlySpan<byte> frameRgb24, ReadOnlySpan<byte> plateRgb24, int width, int height)
    {
        long bytes = (long)width * height * 3;
        if (width < 1 || height < 1) throw new ArgumentException($"frame size {width}x{height} is empty");
        if (frameRgb24.Length != bytes)
            throw new ArgumentException($"frame of {width}x{height} needs {bytes} RGB bytes, got {frameRgb24.Length}", nameof(frameRgb24));
        if (plateRgb24.Length != bytes)
            throw new ArgumentException($"background plate must have the frame's size {width}x{height} ({bytes} RGB bytes), got {plateRgb24.Length} bytes", nameof(plateRgb24));
        var session = SessionFor(width, height);
        session.Run(frameRgb24, plateRgb24);
        var geo = session.Geometry;
        return new PlateMatteResult(width, height, geo.BackboneScale, session.Foreground, session.Alpha,
            session.Error, geo.BaseWidth, geo.BaseHeight, session.Refined, geo.QuarterWidth, geo.QuarterHeight);
    }

    private PlateSession SessionFor(int width, int height)
        // The steady state (the size of the last frame) allocates nothing: no closure on this path.
        => _sessions.MostRecent is { } last && Fits(last, width, height) ? last : Switch(width, height);

    private static bool Fits(PlateSession s, int width, int height) => s.Geometry.FrameWidth == width && s.Geometry.FrameHeight == height;

    private PlateSession Switch(int width, int height)
        => _sessions.Get(s => Fits(s, width, height), () =>
        {
            var geo = new BgmGeometry(width, height, _options.BackboneScale ?? BgmGeometry.AutoBackboneScale(width, height),
                _options.RefineMode, _options.RefineSamplePixels, _options.RefineThreshold);
            return new PlateSession(_network, geo, _sessionOptions);
        });

    public void Dispose()
    {
        _sessions.Dispose();
        _sessionOptions.Dispose();
    }
}
