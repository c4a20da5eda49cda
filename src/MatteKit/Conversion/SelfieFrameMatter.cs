
namespace MatteKit.Conversion;

/// <summary>
/// MediaPipe selfie segmentation on the frames (<c>--model selfie|selfie-landscape</c>): the refined mask is the
/// alpha and the input's colour the foreground, so every output and composition of RVM works unchanged.
/// </summary>
internal sealed class SelfieFrameMatter : IFrameMatter
{
    private readonly SelfieSegmenter _segmenter;
    private readonly ConvertOptions _options;

    private SelfieFrameMatter(SelfieSegmenter segmenter, ConvertOptions options)
    {
        _segmenter = segmenter;
        _options = options;
        NetworkSize = segmenter.NetworkSize;
    }

    public static SelfieFrameMatter Load(ConvertOptions options)
    {
        var selfieOptions = new SelfieOptions
        {
            Threads = options.Matting.Threads,
            SpinWhileIdle = false, // shares the cores with ffmpeg and the pipeline's threads (see RvmFrameMatter)
            Edge = options.Matting.MaskEdge,
            Smoothing = options.Matting.MaskSmoothing,
        };
        return new SelfieFrameMatter(options.Matting.OpenSelfie(selfieOptions), options);
    }

    public int FramesPerCall => 1;

    /// <summary>The network's input is a fixed size; there is no ratio (1 for the summary).</summary>
    public double ResolvedRatio => 1;

    public (int Width, int Height) NetworkSize { get; }

    public void Matte(IReadOnlyList<FrameSlot> slots)
    {
        foreach (var slot in slots)
        {
            slot.EnsureMatteBuffers();
            int bytes = slot.Pixels * 3;
            _segmenter.Segment(slot.Rgb.AsSpan(0, bytes), slot.Width, slot.Height, slot.Alpha.AsSpan(0, slot.Pixels));
            slot.Rgb.AsSpan(0, bytes).CopyTo(slot.Foreground);
        }
    }

    public string? Describe(int frames)
        => $"selfie segmentation ({_segmenter.ModelSource}, network {NetworkSize.Width}x{NetworkSize.Height}), " +
           $"{(_options.Matting.MaskEdge == SelfieEdge.GuidedFilter ? "guided-filter" : "bilinear")} edge" +
           (_options.Matting.MaskSmoothing > 0 ? $", smoothing {_options.Matting.MaskSmoothing:0.##}" : "");

    public void Dispose() => _segmenter.Dispose();
}
