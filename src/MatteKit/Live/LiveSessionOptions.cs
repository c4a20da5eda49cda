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
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(10);
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
            throw new ArgumentException("no output: give --output, --output-alpha, --output-foreground, --output-v4l2 or --preview");
        if (Loop && !Realtime) throw new ArgumentException("--loop needs --realtime (it replays a file)");
        if (InputFps is { } fps && !(fps > 0 && fps <= 1000)) throw new ArgumentException($"--input-fps must be in (0, 1000], got {fps}");
        if (InputSize is { } s && (long)s.Width * s.Height > Matter.MaxPixels)
            throw new ArgumentException($"--input-size {s.Width}x{s.Height} is above the limit of {Matter.MaxPixels} pixels (--max-pixels)");
        if (ReadTimeout <= TimeSpan.Zero) throw new ArgumentException("--read-timeout must be positive");
        if (Duration is { } d && d <= TimeSpan.Zero) throw new ArgumentException("--duration must be positive");
        bool stream = Input == "-" || Input.Contains("://", StringComparison.Ordinal) || Input.StartsWith("/dev/", StringComparison.Ordinal) || InputFormat is not null;
        if (!stream && !Realtime)
            throw new ArgumentException($"{Input}: a file is read as fast as it decodes; give --realtime to play it at its own rate (or use mattekit convert)");
        var inputs = new List<(string, string)>();
        foreach (var file in Conversion.PathCollisions.FilesRead(Input)) inputs.Add(("the input", file));
        if (File.Exists(Matter.Background)) inputs.Add(("the --background", Matter.Background));
        if (Matter.Weights is { } weights) inputs.Add(("the --weights", weights));
        var outputs = Outputs.Select(o => (Option: "--output", Path: (string?)o))
            .Concat(new (string Option, string? Path)[] { ("--output-alpha", OutputAlpha), ("--output-foreground", OutputForeground), ("--stats", StatsFile) })
            .Where(o => o.Path is not null && !LiveOutput.IsUrl(o.Path)).Select(o => (o.Option, o.Path!)).ToList();
        Conversion.PathCollisions.Check(inputs, outputs);
    }
}
