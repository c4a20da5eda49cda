
namespace MatteKit.Inference;

/// <summary>
/// Robust Video Matting on the frames: the matting pass, the segmentation pass, or both. The matting pass takes
/// up to <c>--seq-chunk</c> frames per network call; the segmentation pass runs one frame per call.
/// </summary>
internal sealed class RvmFrameMatter : IFrameMatter
{
    private readonly VideoMatter? _matter;
    private readonly VideoMatter? _segmenter;
    private readonly float? _segmentationThreshold;
    private readonly Func<VideoMatter> _open;
    private readonly double? _loadedRatio; // the settings' ratio, for OpenAnother (Ratio may be changing meanwhile)
    private readonly bool _deep;
    private readonly bool _int8; // the encoder and LR-ASPP in int8: said on the summary line
    private byte[] _chunk = Array.Empty<byte>();

    private RvmFrameMatter(Func<VideoMatter> open, bool matting, bool segmentation, float? segmentationThreshold, double? ratio, int framesPerCall, bool deep, bool int8)
    {
        FramesPerCall = framesPerCall;
        _deep = deep;
        _int8 = int8;
        _open = open;
        _segmentationThreshold = segmentationThreshold;
        Ratio = _loadedRatio = ratio;
        try
        {
            // Each pass advances the recurrent state, so both on one clip need two matters, each with its own sequence.
            _matter = matting ? open() : null;
            _segmenter = segmentation ? open() : null;
            if (_segmenter is not null && !_segmenter.HasSegmentation)
                throw new ArgumentException($"{_segmenter.WeightsSource}: no segmentation head in these weights (the TF.js model and ONNX " +
                    "files have none; the official .pth files have one), so OutputSegmentation cannot be written");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>
    /// RVM from <paramref name="weightsPath"/> (as <see cref="VideoMatter.Load(string?, MatterOptions?)"/>; the weights
    /// are read once, for both passes and for <see cref="OpenAnother"/>): the matting pass when
    /// <paramref name="matting"/>, the segmentation pass when <paramref name="segmentation"/> (a mask at
    /// <paramref name="segmentationThreshold"/>, else the probability), at <paramref name="ratio"/> (null: auto),
    /// up to <paramref name="framesPerCall"/> frames per network call; with <paramref name="deep"/>, the unrounded alpha and
    /// foreground too (<see cref="FrameSlot.HasDeep"/>).
    /// </summary>
    public static RvmFrameMatter Load(string? weightsPath, MatterOptions options, bool matting, bool segmentation,
        float? segmentationThreshold, double? ratio, int framesPerCall, bool deep = false)
    {
        var weights = weightsPath is { } path && VideoMatter.IsOnnxFile(path) ? null : WeightsFile.LoadOrDefault(weightsPath);
        VideoMatter Open() => weights is null ? VideoMatter.Load(weightsPath, options) : VideoMatter.Load(weights, options);
        return new RvmFrameMatter(Open, matting, segmentation, segmentationThreshold, ratio, framesPerCall, deep, options.Int8Ranges is not null);
    }

    public IFrameMatter OpenAnother()
        => new RvmFrameMatter(_open, _matter is not null, _segmenter is not null, _segmentationThreshold, _loadedRatio, FramesPerCall, _deep, _int8);

    public bool HasRatio => true;

    public double? Ratio { get; set; }

    public string WeightsSource => AnyPass.WeightsSource;

    /// <summary>The matter of either pass: both read the same weights and run at the same geometry.</summary>
    private VideoMatter AnyPass => _matter ?? _segmenter
        ?? throw new InvalidOperationException("an RVM frame matter runs the matting pass, the segmentation pass or both");

    public void Reset()
    {
        _matter?.Reset();
        _segmenter?.Reset();
    }

    public double ResolvedRatio { get; private set; } = 1;
    public (int Width, int Height) NetworkSize { get; private set; }

    public int FramesPerCall { get; }

    public void Matte(IReadOnlyList<FrameSlot> slots)
    {
        foreach (var slot in slots) slot.EnsureMatteBuffers();
        if (_matter is { } matter)
        {
            // Image folders may change size from one image to the next; a chunk holds frames of one size.
            for (int start = 0, end; start < slots.Count; start = end)
            {
                for (end = start + 1; end < slots.Count && SameSize(slots[end], slots[start]); end++) { }
                MatteRun(matter, slots, start, end - start);
            }
        }
        if (_segmenter is { } segmenter)
            foreach (var slot in slots) Segment(segmenter, slot);
        var geometry = AnyPass.CurrentGeometry ?? throw new InvalidOperationException("Matte is given at least one frame");
        NetworkSize = (geometry.NetworkWidth, geometry.NetworkHeight);
    }

    private void MatteRun(VideoMatter matter, IReadOnlyList<FrameSlot> slots, int start, int count)
    {
        var first = slots[start];
        int pixels = first.Pixels, frameBytes = pixels * 3;
        ReadOnlySpan<byte> frames;
        if (count == 1)
        {
            frames = first.Rgb.AsSpan(0, frameBytes);
        }
        else
        {
            if (_chunk.Length < count * frameBytes) _chunk = new byte[count * frameBytes];
            for (int i = 0; i < count; i++) slots[start + i].Rgb.AsSpan(0, frameBytes).CopyTo(_chunk.AsSpan(i * frameBytes));
            frames = _chunk.AsSpan(0, count * frameBytes);
        }
        if (_deep)
        {
            MatteDeep(matter, frames, slots, start, count);
            return;
        }
        // Bytes straight from the network: converting there runs on every inference thread.
        var result = matter.ProcessChunkToBytes(frames, count, first.Width, first.Height, Ratio);
        for (int i = 0; i < count; i++)
        {
            var slot = slots[start + i];
            result.AlphaGray8.Slice(i * pixels, pixels).CopyTo(slot.Alpha);
            result.ForegroundRgb24.Slice(i * frameBytes, frameBytes).CopyTo(slot.Foreground);
        }
        ResolvedRatio = result.DownsampleRatio;
    }

    // The float results kept for deep outputs, and rounded here to the 8-bit buffers the other outputs read (half to even,
    // as the network's own conversion to bytes rounds).
    private void MatteDeep(VideoMatter matter, ReadOnlySpan<byte> frames, IReadOnlyList<FrameSlot> slots, int start, int count)
    {
        var first = slots[start];
        var chunk = matter.ProcessChunk(frames, count, first.Width, first.Height, Ratio);
        for (int i = 0; i < count; i++)
        {
            var result = chunk.Frame(i);
            DeepPlanes.Keep(result.Alpha, result.Foreground, slots[start + i]);
        }
        ResolvedRatio = chunk.DownsampleRatio;
    }

    private void Segment(VideoMatter segmenter, FrameSlot slot)
    {
        slot.EnsureMap(ref slot.Segmentation);
        var segmentation = segmenter.Segment(slot.Rgb.AsSpan(0, slot.Pixels * 3), slot.Width, slot.Height, Ratio);
        if (_segmentationThreshold is { } threshold) segmentation.MaskToGray8(threshold, slot.Segmentation);
        else segmentation.ProbabilityToGray8(slot.Segmentation);
        ResolvedRatio = segmentation.DownsampleRatio;
    }

    private static bool SameSize(FrameSlot a, FrameSlot b) => a.Width == b.Width && a.Height == b.Height;

    public string? Describe(int frames) => _int8 ? "int8: the encoder and LR-ASPP quantized (embedded ranges)" : null;

    public void Dispose()
    {
        _matter?.Dispose();
        _segmenter?.Dispose();
    }
}
