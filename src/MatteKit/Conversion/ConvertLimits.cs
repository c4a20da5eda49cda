namespace MatteKit.Conversion;

/// <summary>
/// The bounds on what an input or an option can make a conversion use. Each is far above what real footage
/// needs and low enough that a hostile file or a typo cannot exhaust the machine.
/// </summary>
internal static class ConvertLimits
{
    /// <summary>
    /// Default largest frame, in pixels (<see cref="Media.PixelLimit.Default"/>), checked against each input's header
    /// (PNG, ffprobe, every decoded frame) and the background's before their pixels are allocated.
    /// <see cref="MattingSettings.MaxPixels"/> raises it.
    /// </summary>
    public const long DefaultMaxPixels = Media.PixelLimit.Default;

    /// <summary>
    /// Longest <see cref="ConvertOptions.SeqChunk"/>. Every stage queue holds a chunk, so memory grows with it;
    /// on CPU chunks longer than 1 measured slower anyway.
    /// </summary>
    public const int MaxSeqChunk = 32;

    /// <summary>The most warm-up frames before a chunk (<c>--warmup</c>); the paper's error settles within about 15.</summary>
    public const int MaxWarmup = 60;

    /// <summary>
    /// <see cref="ConvertOptions.Priming"/> unless given: 15 frames, where the paper's error curve has flattened; on 13 clips
    /// with exact truth it lowered the first 15 frames' MAD by 3.4% on average (docs/convert.md).
    /// </summary>
    public const int DefaultPriming = 15;

    /// <summary>The most memory reverse warm-up may hold (it keeps W + 1 decoded frames).</summary>
    public const long MaxWarmupBytes = 2L << 30;

    /// <summary>
    /// Frames times pixels one chunk may hold (8 frames of 4K, 32 of 1080p): the decoded frames, their outputs
    /// and the network's activations all scale with it.
    /// </summary>
    public const long MaxChunkPixels = 8L * 3840 * 2160;

    /// <summary>Refuses a chunk of <paramref name="seqChunk"/> frames of <paramref name="width"/> x <paramref name="height"/> above <see cref="MaxChunkPixels"/>.</summary>
    /// <exception cref="ArgumentException">The chunk is too large.</exception>
    internal static void CheckChunk(int seqChunk, int width, int height)
    {
        if ((long)width * height * seqChunk > MaxChunkPixels)
            throw new ArgumentException(
                $"SeqChunk {seqChunk} of {width}x{height} frames is above the {MaxChunkPixels} pixels a chunk may hold; use a shorter chunk");
    }

    /// <summary>
    /// The latest <see cref="ConvertOptions.StartSeconds"/> and the longest <see cref="ConvertOptions.DurationSeconds"/>:
    /// 10^9 s, about 31 years. ffmpeg refuses a time past 2^63 microseconds (about 9.2 x 10^12 s) in its own words
    /// ("Invalid duration specification for ss: 1000...", the number in full), and a double prints 1e308 in 309 digits.
    /// </summary>
    public const double MaxSeconds = 1e9;

    /// <summary>Most inference threads: the cores present (more only adds contention and start-up time).</summary>
    public static int MaxThreads => Environment.ProcessorCount;

    /// <summary>Largest x264/VP9 constant rate factor (VP9's scale; x264 stops at 51).</summary>
    public const int MaxCrf = 63;

    /// <summary>
    /// Default time an input may send nothing before the conversion gives up on it (a stalled network stream, a
    /// FIFO nobody writes to).
    /// </summary>
    public static readonly TimeSpan DefaultReadTimeout = Media.Ffmpeg.VideoDecoder.DefaultReadTimeout;

    /// <summary>The longest read timeout: a day (the timers that enforce it take no more than about 24 days).</summary>
    public static readonly TimeSpan MaxReadTimeout = TimeSpan.FromDays(1);

    /// <summary>The one check of a read timeout (convert's and live's).</summary>
    /// <exception cref="ArgumentException">Not in (0, <see cref="MaxReadTimeout"/>].</exception>
    internal static void CheckReadTimeout(TimeSpan timeout)
    {
        if (!(timeout > TimeSpan.Zero && timeout <= MaxReadTimeout))
            throw new ArgumentException($"ReadTimeout must be positive and at most {MaxReadTimeout.TotalSeconds:0} s, got {timeout.TotalSeconds} s", "ReadTimeout");
    }
}
