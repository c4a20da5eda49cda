using MatteKit.Rvm;

namespace MatteKit.Conversion;

/// <summary>What <see cref="Converter"/> reads, writes and how it runs the network.</summary>
public sealed record ConvertOptions
{
    /// <summary>A PNG image, or a folder of PNG images read as one clip in natural order.</summary>
    public required string Input { get; init; }

    /// <summary>Alpha matte output: a .png file for an image input, a folder for a folder input.</summary>
    public string? OutputAlpha { get; init; }

    /// <summary>Foreground colour output (RGB), same rule as <see cref="OutputAlpha"/>.</summary>
    public string? OutputForeground { get; init; }

    /// <summary>Foreground over <see cref="Background"/>, same rule as <see cref="OutputAlpha"/>.</summary>
    public string? OutputComposition { get; init; }

    /// <summary>
    /// Segmentation pass output (8-bit grey PNG): the person probability map, or a binary mask with
    /// <see cref="SegmentationThreshold"/>. Needs weights with the segmentation head (the official .pth files).
    /// </summary>
    public string? OutputSegmentation { get; init; }

    /// <summary>With <see cref="OutputSegmentation"/>: 255 where the probability is at least this, else 0; null = the probability map.</summary>
    public float? SegmentationThreshold { get; init; }

    /// <summary>Refiner for ratios below 1; null = deep guided filter when the weights hold one, else fast.</summary>
    public RvmRefiner? Refiner { get; init; }

    /// <summary>Composition background: green, black, white, #RRGGBB, or transparent (RGBA PNG, straight alpha).</summary>
    public string Background { get; init; } = "green";

    /// <summary>null = auto (network's longer side about 512 px).</summary>
    public double? DownsampleRatio { get; init; }

    /// <summary>Weights file; null = the embedded default model.</summary>
    public string? Weights { get; init; }

    /// <summary>Inference threads; 0 = one per core.</summary>
    public int Threads { get; init; }

    /// <summary>Background-plate mode (BackgroundMattingV2 with these settings); null = RVM, no plate.</summary>
    public PlateSettings? Plate { get; init; }
}
