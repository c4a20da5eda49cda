using System.Globalization;
using MatteKit.Conversion;

namespace MatteKit.Live;

/// <summary>How a <see cref="LiveMatter"/> mattes: the weights, the threads, the ratio, the latency bound and the background.</summary>
public sealed record LiveMatterOptions
{
    /// <summary>
    /// The network's longer side that the live default ratio starts from (at 640x360 with 2 threads, ratio 0.5:
    /// 22 ms a frame on one 2-core machine, 47 ms on another); lowered for a slower CPU (<see cref="TargetFps"/>).
    /// </summary>
    public const int AutoNetworkSide = 320;

    /// <summary>The default bound on the latency from a frame's arrival to its output.</summary>
    public static readonly TimeSpan DefaultMaxLatency = TimeSpan.FromMilliseconds(100);

    /// <summary>The most a latency bound may be.</summary>
    public static readonly TimeSpan MaxMaxLatency = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How to matte (as for <c>convert</c>). Its <see cref="MattingSettings.DownsampleRatio"/>, null, is the live default: the
    /// network's longer side at most <see cref="AutoNetworkSide"/> px (<see cref="AutoRatio"/>), less than <c>convert</c>'s
    /// 512, and lowered (to 128 px at the least) until a frame fits the interval of <see cref="TargetFps"/> on this CPU, timed
    /// when the session is built, and the frame matted at half its size when even that does not fit
    /// (<see cref="LiveStats.MattedAtHalfSize"/>); lowered again while running when frames keep taking longer than they arrive.
    /// </summary>
    public MattingSettings Matting { get; init; } = new();

    /// <summary>
    /// Forget the recurrent state at a scene cut (a frame unlike the one before, <c>SceneCutDetector</c>): the state
    /// carries the last shot's person and background, which the next shot's first frames would be matted with.
    /// </summary>
    public bool ResetOnSceneCut { get; init; } = true;

    /// <summary>The frame rate the live default ratio must keep up with (the input's, where known).</summary>
    public double TargetFps { get; init; } = 30;

    /// <summary>
    /// A frame that has waited so long that matting it would end past this bound is dropped instead (the newest
    /// frame wins). When the network alone takes longer than the bound, frames are matted anyway (the stats show it).
    /// </summary>
    public TimeSpan MaxLatency { get; init; } = DefaultMaxLatency;

    /// <summary>
    /// Keep one person only: alpha is 0 outside the chosen person's region, followed frame to frame from the first frame
    /// where anyone is seen; null = everyone. With a subject, frames are never matted at half their size (a point is in
    /// the frame's pixels).
    /// </summary>
    public SubjectChoice? Subject { get; init; }

    /// <summary>
    /// Whether <see cref="LiveMatter.SetSubject"/> may choose a person later (the preview page's click): the person
    /// detector is loaded even without <see cref="Subject"/>, and frames are never matted at half their size.
    /// </summary>
    public bool SubjectChangeable { get; init; }

    /// <summary>
    /// A file where the live default's network side is remembered between runs, keyed by the machine, the weights, the
    /// threads, the pipeline, the frame size and the rate: a session that finds its key there builds one network session
    /// instead of searching (up to four builds, while a stream's first frames are dropped). Null (the library's default):
    /// search every time; <c>mattekit live</c> gives one in the user's cache folder (<c>--retime</c> searches again).
    /// </summary>
    public string? NetworkSideMemoryFile { get; init; }

    /// <summary>With <see cref="NetworkSideMemoryFile"/>: search even where a side is remembered, and remember what the search finds.</summary>
    public bool RetimeNetworkSide { get; init; }

    /// <summary>The composition's background (a colour, transparent, the frame blurred, an image or a video).</summary>
    public Background Background { get; init; } = Background.Green;

    /// <summary>The ratio the live default starts from for a frame size: the network's longer side <see cref="AutoNetworkSide"/> px, at most 1.</summary>
    public static double AutoRatio(int width, int height) => Math.Min(1, (double)AutoNetworkSide / Math.Max(width, height));

    /// <exception cref="ArgumentException">One line naming the option and the problem.</exception>
    public void Validate()
    {
        Matting.Validate();
        if (!(MaxLatency > TimeSpan.Zero && MaxLatency <= MaxMaxLatency))
            throw new ArgumentException($"{nameof(MaxLatency)} must be in (0, {MaxMaxLatency.TotalMilliseconds:0}] ms, got {MaxLatency.TotalMilliseconds:0.###}", nameof(MaxLatency));
        if (!(TargetFps > 0 && TargetFps <= 1000)) throw new ArgumentException($"{nameof(TargetFps)} must be in (0, 1000], got {TargetFps}", nameof(TargetFps));
        // The memory is rewritten through the writer that replaces only a regular file: a link (or a FIFO) there would
        // never take what a search found, and every start would search again without a word. Refused rather than
        // written through, as every output is: a link in a shared folder must not lead the write to another file.
        if (NetworkSideMemoryFile is { } memory && Matting.DownsampleRatio is null && Media.OutputFile.NotReplaceable(memory) is { } problem)
            throw new ArgumentException($"{memory}: the live network-side memory {problem}", nameof(NetworkSideMemoryFile));
    }

    /// <summary>Throws when <paramref name="ratio"/> leaves the network less than a pixel of a <paramref name="width"/> x <paramref name="height"/> frame.</summary>
    /// <exception cref="ArgumentException">One line with the least ratio that fits (<see cref="Rvm.RvmGeometry.RequireNetworkPixels"/>).</exception>
    internal static void CheckRatioFits(double? ratio, int width, int height)
    {
        if (RatioFits(ratio, width, height) || ratio is not { } r) return;
        Rvm.RvmGeometry.RequireNetworkPixels(width, height, r);
    }

    /// <summary>Whether <paramref name="ratio"/> leaves the network at least a pixel each way on this frame (auto always does).</summary>
    internal static bool RatioFits(double? ratio, int width, int height)
        => ratio is not { } r || width <= 0 || height <= 0 || Rvm.RvmGeometry.NetworkSize(width, height, r) is ( >= 1, >= 1);
}
