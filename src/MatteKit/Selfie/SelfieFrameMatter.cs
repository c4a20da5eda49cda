using MatteKit.Inference;

namespace MatteKit.Selfie;

/// <summary>
/// MediaPipe selfie segmentation on the frames (<c>--model selfie|selfie-landscape</c>): the refined mask is the
/// alpha and the input's colour the foreground, so every output and composition of RVM works unchanged. The
/// network's size is fixed: no ratio to choose.
/// </summary>
internal sealed class SelfieFrameMatter : IFrameMatter
{
    private readonly SelfieSegmenter _segmenter;
    private readonly SelfieEdge _edge;
    private readonly float _smoothing;

    /// <summary>Over <paramref name="segmenter"/>, which it then owns; <paramref name="edge"/> and <paramref name="smoothing"/> are the segmenter's, for the summary.</summary>
    public SelfieFrameMatter(SelfieSegmenter segmenter, SelfieEdge edge, float smoothing)
    {
        _segmenter = segmenter;
        _edge = edge;
        _smoothing = smoothing;
        NetworkSize = segmenter.NetworkSize;
    }

    public int FramesPerCall => 1;

    /// <summary>The network's input is a fixed size; there is no ratio (1 for the summary).</summary>
    public double ResolvedRatio => 1;

    public (int Width, int Height) NetworkSize { get; }

    public string WeightsSource => _segmenter.ModelSource;

    public bool HasRatio => false;

    public double? Ratio
    {
        get => null;
        set
        {
            if (value is not null) throw new InvalidOperationException("the selfie models run at their fixed network size; there is no downsample ratio");
        }
    }

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

    public void Reset() => _segmenter.Reset();

    public IFrameMatter OpenAnother() => throw new InvalidOperationException("the selfie models have no ratio to open another session for");

    public string? Describe(int frames)
        => $"selfie segmentation ({_segmenter.ModelSource}, network {NetworkSize.Width}x{NetworkSize.Height}), " +
           $"{(_edge == SelfieEdge.GuidedFilter ? "guided-filter" : "bilinear")} edge" +
           (_smoothing > 0 ? $", smoothing {_smoothing:0.##}" : "");

    public void Dispose() => _segmenter.Dispose();
}
