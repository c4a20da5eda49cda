namespace MatteKit.Conversion;

/// <summary>Which result an output holds.</summary>
internal enum OutputRole
{
    Alpha,
    Foreground,
    Composition,
    Segmentation,

    /// <summary>Plate mode: the base network's error map.</summary>
    Error,

    /// <summary>Plate mode: 255 where a 4x4 patch was refined.</summary>
    Refined,
}
