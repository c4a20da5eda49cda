
namespace MatteKit.Conversion;

/// <summary>Background-plate mode of <see cref="Converter"/> (BackgroundMattingV2 instead of RVM).</summary>
public sealed record PlateMode
{
    /// <summary>The empty-scene PNG, or <see cref="Auto"/> for the temporal median of the input frames.</summary>
    public required string Plate { get; init; }

    public const string Auto = "auto";

    /// <summary>Scale a plate of another size to the frame size (bilinear) instead of refusing it.</summary>
    public bool ResizePlate { get; init; }

    /// <summary>Error map output (8-bit grey, frame size), same path rule as the other outputs.</summary>
    public string? OutputError { get; init; }

    /// <summary>
    /// How the refiner works and at which backbone scale (<see cref="PlateMatterOptions"/>, defaults and checks
    /// included; its <see cref="PlateMatterOptions.Threads"/> is replaced by <see cref="MattingSettings.Threads"/>).
    /// </summary>
    public PlateMatterOptions Refinement { get; init; } = new();

    /// <summary>Refined-patch map output (255 in refined 4x4 patches), same path rule as the other outputs.</summary>
    public string? OutputRefined { get; init; }
}
