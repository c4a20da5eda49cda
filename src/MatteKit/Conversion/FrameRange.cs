using System.Globalization;

namespace MatteKit.Conversion;

/// <summary>Frames [<see cref="Start"/>, <see cref="End"/>) of an input, by index from 0 (<c>--frames A:B</c>).</summary>
public readonly record struct FrameRange(int Start, int End)
{
    public int Count => End - Start;

    /// <summary><c>A:B</c> with 0 &lt;= A &lt; B.</summary>
    public static bool TryParse(string text, out FrameRange range)
    {
        range = default;
        var parts = text.Split(':');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int start)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int end)
            || end <= start)
            return false;
        range = new FrameRange(start, end);
        return true;
    }

    public override string ToString() => $"{Start}:{End}";
}
