using System.Globalization;

namespace MatteKit.Compositing;

/// <summary>An 8-bit RGB colour, parsed from a name or <c>#RRGGBB</c>.</summary>
internal readonly record struct RgbColor(byte R, byte G, byte B)
{
    /// <summary>The official RVM converter's green screen colour (120, 255, 155).</summary>
    public static readonly RgbColor Green = new(120, 255, 155);
    public static readonly RgbColor Black = new(0, 0, 0);
    public static readonly RgbColor White = new(255, 255, 255);

    public static bool TryParse(string text, out RgbColor color)
    {
        switch (text.ToLowerInvariant())
        {
            case "green": color = Green; return true;
            case "black": color = Black; return true;
            case "white": color = White; return true;
        }
        color = default;
        if (text.Length != 7 || text[0] != '#' ||
            !int.TryParse(text.AsSpan(1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int rgb))
            return false;
        color = new RgbColor((byte)(rgb >> 16), (byte)(rgb >> 8), (byte)rgb);
        return true;
    }

    public override string ToString() => $"#{R:X2}{G:X2}{B:X2}";
}
