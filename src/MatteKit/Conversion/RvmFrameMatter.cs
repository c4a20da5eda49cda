using MatteKit.Inference;

namespace MatteKit.Conversion;

/// <summary>Robust Video Matting on each frame: the matting pass, the segmentation pass, or both.</summary>
internal sealed class RvmFrameMatter : IFrameMatter
{
    private readonly VideoMatter? _matter;
    private readonly VideoMatter? _segmenter;
    private readonly float? _segmentationThreshold;
    private readonly double? _ratio;

    private RvmFrameMatter(VideoMatter? matter, VideoMatter? segmenter, float? segmentationThreshold, double? ratio)
    {
        _matter = matter;
        _segmenter = segmenter;
        _segmentationThreshold = segmentationThreshold;
        _ratio = ratio;
    }

    public static RvmFrameMatter Load(ConvertOptions options)
    {
        // ffmpeg children and the decode/encode threads share the cores with inference: spinning ORT workers would
        // take time from them (measured on 2 cores: 720p pipeline 3.3 -> 4.8 fps without spinning).
        var matterOptions = new MatterOptions { Threads = options.Threads, Refiner = options.Refiner, SpinWhileIdle = false };
        bool matting = options.OutputAlpha is not null || options.OutputForeground is not null || options.OutputComposition is not null;
        VideoMatter? matter = null, segmenter = null;
        try
        {
            matter = matting ? VideoMatter.Load(options.Weights, matterOptions) : null;
            // Each pass advances the recurrent state, so both on one clip need two matters, each with its own sequence.
            segmenter = options.OutputSegmentation is null ? null : VideoMatter.Load(options.Weights, matterOptions);
            if (segmenter is not null && !segmenter.HasSegmentation)
                throw new ArgumentException($"{segmenter.WeightsSource}: no segmentation head in these weights (the TF.js model and ONNX " +
                    "files have none; the official .pth files have one), so --output-segmentation cannot be written");
            return new RvmFrameMatter(matter, segmenter, options.SegmentationThreshold, options.DownsampleRatio);
        }
        catch
        {
            matter?.Dispose();
            segmenter?.Dispose();
            throw;
        }
    }

    public double ResolvedRatio { get; private set; } = 1;
    public (int Width, int Height) NetworkSize { get; private set; }

    public void Matte(FrameSlot slot)
    {
        var rgb = slot.Rgb.AsSpan(0, slot.Pixels * 3);
        slot.EnsureMatteBuffers();
        if (_matter is not null)
        {
            var result = _matter.Process(rgb, slot.Width, slot.Height, _ratio);
            result.AlphaToGray8(slot.Alpha);
            result.ForegroundToRgb24(slot.Foreground);
            ResolvedRatio = result.DownsampleRatio;
        }
        if (_segmenter is not null)
        {
            slot.EnsureMap(ref slot.Segmentation);
            var segmentation = _segmenter.Segment(rgb, slot.Width, slot.Height, _ratio);
            if (_segmentationThreshold is { } threshold) segmentation.MaskToGray8(threshold, slot.Segmentation);
            else segmentation.ProbabilityToGray8(slot.Segmentation);
            ResolvedRatio = segmentation.DownsampleRatio;
        }
        var geometry = (_matter ?? _segmenter)!.CurrentGeometry!;
        NetworkSize = (geometry.NetworkWidth, geometry.NetworkHeight);
    }

    public string? Describe(int frames) => null;

    public void Dispose()
    {
        _matter?.Dispose();
        _segmenter?.Dispose();
    }
}
