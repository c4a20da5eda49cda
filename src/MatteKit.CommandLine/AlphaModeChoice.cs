namespace MatteKit.CommandLine;

/// <summary><c>--alpha-mode</c>: how outputs with alpha store colour (<c>ConvertOptions.PremultiplyAlpha</c>: false, true).</summary>
public enum AlphaModeChoice
{
    Straight,
    Premultiplied,
}
