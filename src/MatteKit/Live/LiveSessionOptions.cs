namespace MatteKit.Live;

/// <summary>What <c>mattekit live</c> reads, writes and how (the command line's options, validated in one place).</summary>
internal sealed record LiveSessionOptions
{
    public required string Input { get; init; }
    public required LiveMatterOptions Matter { get; init; }

    /// <summary>An ffmpeg demuxer for the input (x11grab, v4l2, ...); null = ffmpeg's guess (v4l2 for /dev/video*).</summary>
    public string? InputFormat { get; init; }

    public (int Width, int Height)? InputSize { get; init; }
    public double? InputFps { get; init; }

    /// <summary>Read a file at its own rate (ffmpeg's <c>-re</c>).</summary>
    public bool Realtime { get; init; }

    /// <summary>With <see cref="Realtime"/>: start the file over at its end.</summary>
    public bool Loop { get; init; }

    public IReadOnlyList<string> Outputs { get; init; } = Array.Empty<string>();
    public string? OutputAlpha { get; init; }
    public string? OutputForeground { get; init; }
    public string? OutputV4l2 { get; init; }
    public LiveEncoding Encoding { get; init; } = new();
    public string? StatsFile { get; init; }
    public TimeSpan ReadTimeout { get; init; } = DefaultReadTimeout;

    /// <summary>Live gives up on a silent input sooner than convert: a stalled camera or stream should be noticed.</summary>
    public static readonly TimeSpan DefaultReadTimeout = TimeSpan.FromSeconds(10);
    public bool Reconnect { get; init; }

    /// <summary>Stop after this long (a recording of fixed length); null = until the input ends or a signal.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Whether something other than the outputs watches the frames (the preview page).</summary>
    public bool HasViewer { get; init; }

    /// <exception cref="ArgumentException">One line naming the option and the problem.</exception>
    public void Validate()
    {
        Matter.Validate();
        if (Outputs.Count == 0 && OutputAlpha is null && OutputForeground is null && OutputV4l2 is null && !HasViewer)
            throw new ArgumentException("no output: give Outputs, OutputAlpha, OutputForeground, OutputV4l2 or HasViewer");
        if (Loop && !Realtime) throw new ArgumentException("Loop needs Realtime (it replays a file)");
        if (InputFps is { } fps && !(fps > 0 && fps <= 1000)) throw new ArgumentException($"InputFps must be in (0, 1000], got {fps}");
        if (InputSize is { } s && (long)s.Width * s.Height > Matter.Matting.MaxPixels)
            throw new ArgumentException($"InputSize {s.Width}x{s.Height} is above the limit of {Matter.Matting.MaxPixels} pixels (MaxPixels)");
        if (Encoding.Crf is not null && Encoding.Mbps is not null) throw new ArgumentException("give either Mbps or Crf, not both");
        Conversion.ConvertLimits.CheckReadTimeout(ReadTimeout);
        if (Duration is { } d && d <= TimeSpan.Zero) throw new ArgumentException("Duration must be positive");
        bool stream = Input == "-" || Input.Contains("://", StringComparison.Ordinal) || Input.StartsWith("/dev/", StringComparison.Ordinal) || InputFormat is not null;
        if (!stream && !Realtime)
            throw new ArgumentException($"{Input}: a file is read as fast as it decodes; give Realtime to play it at its own rate (or use mattekit convert)");
        var inputs = Conversion.PathCollisions.Inputs(Input, Matter.Background, Matter.Matting, Matter.Subject);
        Conversion.PathCollisions.Check(inputs, FileOutputs);
    }

    /// <summary>The files the session writes (not the stream addresses), each by the option that names it.</summary>
    internal List<(string Option, string Path)> FileOutputs
        => Outputs.Select(o => (Option: "Outputs", Path: (string?)o))
            .Concat(new (string Option, string? Path)[] { ("OutputAlpha", OutputAlpha), ("OutputForeground", OutputForeground), ("StatsFile", StatsFile) })
            .SelectMany(o => o.Path is { } path && !LiveOutput.IsUrl(path) ? new[] { (o.Option, path) } : []).ToList();
}
