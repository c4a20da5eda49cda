namespace MatteKit.Conversion;

/// <summary>Which of the three results an output holds.</summary>
internal enum OutputRole
{
    Alpha,
    Foreground,
    Composition,
    Segmentation,
}
