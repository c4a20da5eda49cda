using MatteKit.Selfie;
using MatteKit.Inference;
using Microsoft.ML.OnnxRuntime;

namespace MatteKit;

/// <summary>
/// Person segmentation with MediaPipe's selfie models, a fast alternative to RVM: a mask per frame, brought to the
/// frame's size by a guided filter, optionally smoothed over time. One session per frame size, reused.
/// </summary>
internal sealed class SelfieSegmenter : IDisposable
{
    private readonly SelfieNetwork _network;
    private readonly SelfieOptions _options;
    private readonly SessionOptions _sessionOptions;
    private readonly SessionCache<SelfieSession> _sessions;
    private SelfieSession? _current;

    private SelfieSegmenter(SelfieNetwork network, SelfieOptions? options)
    {
        options ??= new SelfieOptions();
        options.Validate();
        _network = network;
        _options = options;
        _sessionOptions = OrtSessionOptions.Create(options.Threads, options.SpinWhileIdle);
        _sessions = new SessionCache<SelfieSession>(options.MaxCachedSizes);
    }

    /// <summary>One of the embedded MediaPipe models.</summary>
    public static SelfieSegmenter Load(SelfieModel model = SelfieModel.General, SelfieOptions? options = null)
        => new(SelfieNetwork.Embedded(model), options);

    /// <summary>A <c>.tflite</c> file with a selfie model's structure (one RGB input, one mask of the same size).</summary>
    /// <exception cref="WeightsFormatException">The file cannot be read or holds an operator MatteKit does not translate.</exception>
    public static SelfieSegmenter Load(string tflitePath, SelfieOptions? options = null)
        => new(SelfieNetwork.Read(tflitePath), options);

    public string ModelSource => _network.Source;

    /// <summary>The size the network runs at (W x H).</summary>
    public (int Width, int Height) NetworkSize => (_network.Width, _network.Height);

    public long ConvMultiplyAdds => _current?.ConvMultiplyAdds ?? 0;

    /// <summary>The person mask of one frame (interleaved RGB), one byte a pixel, 255 = person.</summary>
    public void Segment(ReadOnlySpan<byte> rgb24, int width, int height, Span<byte> alpha)
    {
        if (width < 1 || height < 1) throw new ArgumentOutOfRangeException(nameof(width), $"frame of {width}x{height}");
        if (rgb24.Length != (long)width * height * 3)
            throw new ArgumentException($"frame of {width}x{height} needs {(long)width * height * 3} RGB bytes, got {rgb24.Length}", nameof(rgb24));
        if (alpha.Length != (long)width * height)
            throw new ArgumentException($"frame of {width}x{height} needs {(long)width * height} alpha bytes, got {alpha.Length}", nameof(alpha));
        var session = SessionFor(width, height);
        session.Run(rgb24, _options.Smoothing);
        session.Alpha.CopyTo(alpha);
    }

    /// <summary>The next frame starts a new sequence (a cut, another clip): no smoothing carries over.</summary>
    public void Reset()
    {
        foreach (var s in _sessions.All) s.Reset();
    }

    private SelfieSession SessionFor(int width, int height)
    {
        if (_current is { } c && c.Width == width && c.Height == height) return c;
        // Another size breaks the sequence: its session starts without a previous mask.
        _current = _sessions.Get(s => s.Width == width && s.Height == height,
            () => new SelfieSession(_network, width, height, _options.Edge, _sessionOptions), s => s.Reset());
        return _current;
    }

    public void Dispose()
    {
        _sessions.Dispose();
        _sessionOptions.Dispose();
    }
}
