using MatteKit.Inference;
using MatteKit.Media;

namespace MatteKit.Conversion;

/// <summary>
/// <c>Plate auto</c>: the per-pixel temporal median of up to <see cref="MaxFrames"/> evenly spaced
/// frames, which is the empty scene when the camera is still and people keep moving. Refused (with the reason) when
/// the camera or scene moves, or when the median still shows a person (someone stood still), since BGMv2 would then
/// treat that person as background.
/// </summary>
internal static class TemporalMedianPlate
{
    public const int MinFrames = 3;
    public const int MaxFrames = 31;

    // A pixel is static when at least half the sampled frames stay within this of the median on every channel
    // (compression noise and small lighting changes stay well below it).
    private const int StaticTolerance = 24;
    private const double MinStaticFraction = 0.8;

    // The median shows a person when the RVM matte of it has more than this fraction of clearly opaque pixels.
    private const float PersonAlpha = 0.5f;
    private const double MaxPersonFraction = 0.01;

    /// <summary>Builds the plate from up to <see cref="MaxFrames"/> evenly spaced frames of the convert input.</summary>
    /// <exception cref="MediaFormatException">No plate can be taken from this input; the message says why.</exception>
    internal static RgbImage Build(ConvertOptions options, out string description)
    {
        using var source = FrameSource.Open(options);
        int count = source.FrameCountEstimate;
        if (source.IsSingleImage || count < MinFrames)
            throw new MediaFormatException(options.Input,
                $"Plate auto needs a clip of at least {MinFrames} frames to take a temporal median" +
                (count > 0 ? $", got {count}" : " (its frame count is not known in advance)") +
                "; capture the scene without the person and pass it as Plate PLATE.png") { Parameters = [nameof(ConvertOptions.Plate)] };
        int n = Math.Min(MaxFrames, count);
        var wanted = Enumerable.Range(0, n).Select(i => (int)((long)i * (count - 1) / Math.Max(1, n - 1))).ToHashSet();
        var images = new List<RgbImage>(n);
        var slot = new FrameSlot();
        for (int index = 0; images.Count < n && source.Read(slot); index++)
        {
            if (!wanted.Contains(index)) continue;
            if (images.Count > 0 && (slot.Width != images[0].Width || slot.Height != images[0].Height))
                throw new MediaFormatException(slot.SourceName ?? options.Input,
                    $"frame {index} is {slot.Width}x{slot.Height}, the clip's first frame {images[0].Width}x{images[0].Height}");
            images.Add(new RgbImage(slot.Width, slot.Height, slot.Rgb.AsSpan(0, slot.Pixels * 3).ToArray()));
        }
        if (images.Count < MinFrames)
            throw new MediaFormatException(options.Input, $"Plate auto: only {images.Count} frames could be read") { Parameters = [nameof(ConvertOptions.Plate)] };
        return FromFrames(options.Input, images, count, out description);
    }

    private static RgbImage FromFrames(string input, IReadOnlyList<RgbImage> images, int clipFrames, out string description)
    {
        int n = images.Count;
        int width = images[0].Width, height = images[0].Height;
        var median = new byte[width * height * 3];
        Span<byte> values = stackalloc byte[MaxFrames];
        for (int i = 0; i < median.Length; i++)
        {
            for (int f = 0; f < n; f++) values[f] = images[f].Pixels[i];
            var v = values[..n];
            v.Sort();
            median[i] = v[n / 2];
        }

        int staticPixels = 0;
        for (int p = 0; p < width * height; p++)
        {
            int agreeing = 0;
            for (int f = 0; f < n; f++)
            {
                var px = images[f].Pixels;
                int o = 3 * p;
                if (Math.Abs(px[o] - median[o]) <= StaticTolerance && Math.Abs(px[o + 1] - median[o + 1]) <= StaticTolerance
                    && Math.Abs(px[o + 2] - median[o + 2]) <= StaticTolerance) agreeing++;
            }
            if (2 * agreeing >= n) staticPixels++;
        }
        double staticFraction = (double)staticPixels / (width * height);
        if (staticFraction < MinStaticFraction)
            throw new MediaFormatException(input,
                $"Plate auto: no static background (only {staticFraction:P0} of pixels stay put over {n} frames; " +
                "the camera or the scene moves); capture a plate and pass it as Plate PLATE.png") { Parameters = [nameof(ConvertOptions.Plate)] };

        double personFraction = PersonFraction(median, width, height);
        if (personFraction > MaxPersonFraction)
            throw new MediaFormatException(input,
                $"Plate auto: the temporal median of {n} frames still contains a person ({personFraction:P1} of it mattes as a person: " +
                "someone stays in place); capture the scene without the person and pass it as Plate PLATE.png") { Parameters = [nameof(ConvertOptions.Plate)] };

        description = $"temporal median of {n} of {clipFrames} frames (camera assumed still: {staticFraction:P0} of pixels static, " +
            $"{personFraction:P2} person-like)";
        return new RgbImage(width, height, median);
    }

    /// <summary>Fraction of the image that the default RVM model mattes as clearly foreground.</summary>
    internal static double PersonFraction(byte[] rgb, int width, int height)
    {
        using var matter = VideoMatter.Load();
        var alpha = matter.Process(rgb, width, height).Alpha;
        int opaque = 0;
        foreach (var a in alpha) if (a > PersonAlpha) opaque++;
        return (double)opaque / alpha.Length;
    }
}
