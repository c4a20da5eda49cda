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
