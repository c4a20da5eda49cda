using MatteKit.Rvm;
using MatteKit.Weights;
using Microsoft.ML.OnnxRuntime;

namespace MatteKit.Inference;

/// <summary>
/// Mattes a video frame by frame, carrying RVM's recurrent state from one frame to the next.
/// <code>
/// using var matter = VideoMatter.Load();            // the embedded default model
/// var result = matter.Process(rgb24, width, height); // ratio: auto
/// matter.Reset();                                     // next clip
/// </code>
/// Not thread-safe: use one instance per video stream.
/// </summary>
public sealed class VideoMatter : IDisposable
{
    private readonly RvmNetwork _network;
    private readonly SessionOptions _sessionOptions;
    private readonly MatterOptions _options;
    private readonly LinkedList<MatteSession> _sessions = new();
    private MatteSession? _current;

    private VideoMatter(RvmNetwork network, MatterOptions options)
    {
        _network = network;
        _options = options;
        _sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = options.Threads,
            InterOpNumThreads = 1,
        };
        if (!options.SpinWhileIdle) _sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
    }

    /// <summary>
    /// Loads weights from <paramref name="weightsPath"/> (a TF.js <c>model.json</c> or its folder, or a PyTorch
    /// <c>.pth</c> state_dict), or the embedded default model when null.
    /// </summary>
    /// <exception cref="WeightsFormatException">The file cannot be used; the message names it and the problem.</exception>
    public static VideoMatter Load(string? weightsPath = null, MatterOptions? options = null)
        => Load(weightsPath is null ? WeightsFile.LoadDefault() : WeightsFile.Load(weightsPath), options);

    public static VideoMatter Load(WeightSet weights, MatterOptions? options = null)
        => new(RvmNetwork.FromWeights(weights), options ?? new MatterOptions());

    /// <summary>Where the weights came from.</summary>
    public string WeightsSource => _network.Source;

    /// <summary>Multiply-adds of the convolutions for the size processed last (0 before the first frame).</summary>
    public long ConvMultiplyAdds => _current?.ConvMultiplyAdds ?? 0;

    /// <summary>
    /// Mattes one frame given as interleaved 8-bit RGB, <paramref name="width"/> x <paramref name="height"/>.
    /// <paramref name="downsampleRatio"/>: null = auto (network's longer side about 512 px), 1 = full resolution
    /// without the refiner. A frame of another size or ratio than the previous one starts from a fresh state.
    /// </summary>
    public MatteResult Process(ReadOnlySpan<byte> rgb24, int width, int height, double? downsampleRatio = null)
    {
        if (rgb24.Length != checked(width * height * 3))
            throw new ArgumentException($"frame of {width}x{height} needs {width * height * 3} RGB bytes, got {rgb24.Length}", nameof(rgb24));
        double ratio = downsampleRatio ?? RvmGeometry.AutoRatio(width, height);
        var session = SessionFor(width, height, ratio);
        session.Run(rgb24);
        return new MatteResult(width, height, ratio, session.Foreground, session.Alpha);
    }

    /// <summary>Forgets the recurrent state: the next frame is processed as the first of a new clip.</summary>
    public void Reset()
    {
        foreach (var s in _sessions) s.ResetState();
    }

    /// <summary>The recurrent state r1..r4 (NCHW) that the next frame of the current size will start from.</summary>
    public ReadOnlySpan<float> RecurrentState(int index)
        => _current is null ? ReadOnlySpan<float>.Empty : _current.State(index);

    internal RvmGeometry? CurrentGeometry => _current?.Geometry;

    private MatteSession SessionFor(int width, int height, double ratio)
    {
        if (_current is { } c && c.Geometry.Matches(width, height, ratio))
            return c;
        var node = _sessions.First;
        while (node is not null && !node.Value.Geometry.Matches(width, height, ratio)) node = node.Next;
        MatteSession session;
        if (node is not null)
        {
            session = node.Value;
            _sessions.Remove(node);
        }
        else
        {
            session = new MatteSession(_network, new RvmGeometry(width, height, ratio), _sessionOptions);
        }
        // Switching size breaks the temporal sequence: the state of another size says nothing about this frame.
        session.ResetState();
        _sessions.AddFirst(session);
        while (_sessions.Count > Math.Max(1, _options.MaxCachedSizes))
        {
            _sessions.Last!.Value.Dispose();
            _sessions.RemoveLast();
        }
        _current = session;
        return session;
    }

    public void Dispose()
    {
        foreach (var s in _sessions) s.Dispose();
        _sessions.Clear();
        _sessionOptions.Dispose();
    }
}
