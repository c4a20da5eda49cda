using static TorchSharp.torch.nn;
using MatteKit.Media;
using static TorchSharp.torch;

namespace MatteKit.Training.Data;

/// <summary>
/// Everything training draws from, loaded and checked before the first step, and the sampling of batches as the
/// paper composes them on the fly: a ground-truth sequence (cut-out or clip) and a background, each augmented on
/// its own, composited <c>src = fgr * pha + bgr * (1 - pha)</c>; clips that come composited are used as they are.
/// </summary>
internal sealed class TrainingData
{
    private readonly List<IMattingSource> _matting = new();
    private readonly BackgroundSet? _backgrounds;
    private readonly SegmentationSet? _segmentation;

    public TrainingData(IReadOnlyList<string> cutouts, IReadOnlyList<string> clips, IReadOnlyList<string> backgrounds,
        IReadOnlyList<string> segmentation, int width, int height, CancellationToken cancel)
    {
        foreach (var folder in cutouts) _matting.Add(new CutoutSet(folder, width, height, cancel));
        foreach (var folder in clips) _matting.Add(new ClipSet(folder, width, height, cancel));
        if (_matting.Count == 0) throw new ArgumentException("nothing to train on: give --cutouts DIR or --clips DIR");
        if (backgrounds.Count > 0) _backgrounds = new BackgroundSet(backgrounds, width, height, cancel);
        else if (cutouts.Count > 0)
            throw new MediaFormatException(cutouts[0], "cut-outs are composited over backgrounds: give --backgrounds DIR");
        if (_backgrounds is null)
            foreach (var (folder, set) in clips.Zip(_matting.OfType<ClipSet>()))
                if (set.BareClip is { } bare)
                    throw new MediaFormatException(folder, $"clip {bare} has no composite (com/), so it is composited over backgrounds: give --backgrounds DIR");
        if (segmentation.Count > 0) _segmentation = new SegmentationSet(segmentation, width, height, cancel);
    }

    public IEnumerable<string> Descriptions =>
        _matting.Select(m => m.Description)
            .Concat(_backgrounds is null ? Array.Empty<string>() : new[] { _backgrounds.Description })
            .Concat(_segmentation is null ? Array.Empty<string>() : new[] { _segmentation.Description });

    public bool HasSegmentation => _segmentation is not null;

    /// <summary>One matting batch <c>[1, T, C, h, w]</c>: source, true foreground, true alpha.</summary>
    public (Tensor Source, Tensor Foreground, Tensor Alpha) NextMatting(TrainingRandom rng, int frames, int width, int height)
    {
        var seq = NextSequence(rng, frames);

        var layers = seq.Composite is null ? new[] { seq.Foreground, seq.Alpha } : new[] { seq.Foreground, seq.Alpha, seq.Composite };
        layers = Augmentation.ResizedCrop(rng, layers, width, height);
        layers = Augmentation.Motion(rng, layers, GridSamplePaddingMode.Zeros);
        layers = Augmentation.MaybeFlip(rng, layers);
        layers = Augmentation.Detail(rng, layers);
        var fgr = Augmentation.Noise(rng, Augmentation.Colour(rng, layers[0]));
        var pha = layers[1].clamp(0, 1);
        Tensor src;
        if (seq.Composite is not null && (_backgrounds is null || rng.Chance(0.5)))
            src = Augmentation.Noise(rng, Augmentation.Colour(rng, layers[2]));
        else
        {
            var bgr = (_backgrounds ?? throw new InvalidOperationException("a sequence without a composite has backgrounds (checked when the data is opened)")).Read(rng, frames);
            var b = Augmentation.ResizedCrop(rng, new[] { bgr }, width, height);
            b = Augmentation.Motion(rng, b, GridSamplePaddingMode.Reflection);
            b = Augmentation.MaybeFlip(rng, b);
            var background = Augmentation.Noise(rng, Augmentation.Colour(rng, b[0]));
            src = fgr * pha + background * (1 - pha);
        }
        var paused = Augmentation.Pause(rng, new[] { src, fgr, pha });
        return (paused[0].unsqueeze(0), paused[1].unsqueeze(0), paused[2].unsqueeze(0));
    }

    /// <summary>
    /// One BGMv2 sample <c>[C, h, w]</c>: source, plate, true foreground, true alpha. The ground truth (one frame,
    /// a clip's composite not used) and a background are cropped, flipped and colour-jittered each on its own, the
    /// source composited over the background; the plate is the same background, the differences between them those
    /// of <see cref="PlateAugmentation"/> (shadow, noise, plate jitter and misalignment). With <paramref name="crop"/>
    /// (the batch's), ground truth and background are cropped to it before the composite, as the official scripts do.
    /// </summary>
    public (Tensor Source, Tensor Plate, Tensor Foreground, Tensor Alpha) NextPlateMatting(TrainingRandom rng, int width, int height, BatchCrop? crop = null)
    {
        var backgrounds = _backgrounds ?? throw new InvalidOperationException("plate training composites over backgrounds (checked with the options)");
        var seq = NextSequence(rng, 1);
        var layers = Augmentation.ResizedCrop(rng, new[] { seq.Foreground, seq.Alpha }, width, height);
        layers = Augmentation.MaybeFlip(rng, layers);
        var fgr = Augmentation.Colour(rng, layers[0]);
        var pha = layers[1].clamp(0, 1);
        var b = Augmentation.ResizedCrop(rng, new[] { backgrounds.Read(rng, 1) }, width, height);
        b = Augmentation.MaybeFlip(rng, b);
        var background = Augmentation.Colour(rng, b[0]);
        if (crop is not null)
        {
            var cropped = crop.Apply(new[] { fgr, pha, background });
            (fgr, pha, background) = (cropped[0], cropped[1], cropped[2]);
        }
        var (src, plate, _) = PlateAugmentation.Apply(rng, fgr, pha, background);
        return (src[0], plate[0], fgr[0], pha[0]);
    }

    /// <summary>One ground-truth item drawn uniformly over all sources' items, <paramref name="frames"/> long.</summary>
    private MattingSequence NextSequence(TrainingRandom rng, int frames)
    {
        int pick = rng.Next(_matting.Sum(m => m.Count));
        var source = _matting[0];
        foreach (var m in _matting)
        {
            source = m;
            if (pick < m.Count) break;
            pick -= m.Count;
        }
        return source.Read(pick, rng, frames);
    }

    /// <summary>
    /// One segmentation batch <c>[B, T, C, h, w]</c>: a mask sequence of T frames on even steps (when there are any),
    /// else T images as T sequences of one frame, as train.py interleaves them.
    /// </summary>
    public (Tensor Images, Tensor Masks) NextSegmentation(TrainingRandom rng, long step, int frames, int width, int height)
    {
        var set = _segmentation ?? throw new InvalidOperationException("no segmentation data");
        if (set.HasSequences && (step % 2 == 0 || !set.HasImages))
        {
            var (images, masks) = set.ReadSequence(rng, frames);
            var (i, m) = AugmentSegmentation(rng, images, masks, width, height);
            return (i.unsqueeze(0), m.unsqueeze(0));
        }
        var pairs = Enumerable.Range(0, frames).Select(_ =>
        {
            var (image, mask) = set.ReadImage(rng);
            return AugmentSegmentation(rng, image, mask, width, height);
        }).ToList();
        return (stack(pairs.Select(p => p.Image), 0), stack(pairs.Select(p => p.Mask), 0));
    }

    // Geometry shared by image and mask, colour on the image only; the mask back to 0/1 after resampling.
    private static (Tensor Image, Tensor Mask) AugmentSegmentation(TrainingRandom rng, Tensor images, Tensor masks, int width, int height)
    {
        var l = Augmentation.ResizedCrop(rng, new[] { images, masks }, width, height);
        l = Augmentation.Motion(rng, l, GridSamplePaddingMode.Reflection);
        l = Augmentation.MaybeFlip(rng, l);
        return (Augmentation.Colour(rng, l[0]), l[1].gt(0.5).to(ScalarType.Float32));
    }
}
