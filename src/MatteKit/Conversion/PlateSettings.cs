using MatteKit.Bgm;

namespace MatteKit.Conversion;

/// <summary>Background-plate mode of <see cref="Converter"/> (BackgroundMattingV2 instead of RVM).</summary>
public sealed record PlateSettings
{
    /// <summary>The empty-scene PNG, or <see cref="Auto"/> for the temporal median of the input frames.</summary>
    public required string Plate { get; init; }

    public const string Auto = "auto";

    /// <summary>Scale a plate of another size to the frame size (bilinear) instead of refusing it.</summary>
    public bool ResizePlate { get; init; }

    public RefineMode RefineMode { get; init; } = RefineMode.Sampling;
    public int RefineSamplePixels { get; init; } = 80_000;
    public float RefineThreshold { get; init; } = 0.1f;

    /// <summary>null = 0.25, or 0.125 above 2560 px (4K).</summary>
    public double? BackboneScale { get; init; }

    /// <summary>Error map output (8-bit grey, frame size), same path rule as the other outputs.</summary>
    public string? OutputError { get; init; }

    /// <summary>Refined-patch map output (255 in refined 4x4 patches), same path rule as the other outputs.</summary>
    public string? OutputRefined { get; init; }
}
