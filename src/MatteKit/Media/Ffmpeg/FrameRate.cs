using System.Globalization;

namespace MatteKit.Media.Ffmpeg;

/// <summary>An exact frame rate as ffmpeg writes it, e.g. 30000/1001, kept rational so that outputs match it exactly.</summary>
internal readonly record struct FrameRate(int Numerator, int Denominator)
{
    /// <summary>What image inputs get when nothing says otherwise (the official converter's choice too).</summary>
    public static readonly FrameRate Default = new(30, 1);

    public double PerSecond => (double)Numerator / Denominator;

    public static bool TryParse(string? text, out FrameRate rate)
    {
        rate = default;
        if (string.IsNullOrEmpty(text)) return false;
        var parts = text.Split('/');
        if (parts.Length == 2 &&
            int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) &&
            int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int d) && n > 0 && d > 0)
        {
            rate = new FrameRate(n, d);
            return true;
        }
        if (parts.Length == 1 && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double f) && f > 0)
        {
            // Decimal rates as ffmpeg prints them for NTSC-style streams (29.97) mean n*1000/1001.
            foreach (int baseRate in new[] { 24, 30, 60, 120 })
                if (Math.Abs(f - baseRate * 1000.0 / 1001) < 0.005)
                {
                    rate = new FrameRate(baseRate * 1000, 1001);
                    return true;
                }
            rate = Math.Abs(f - Math.Round(f)) < 1e-6 ? new FrameRate((int)Math.Round(f), 1) : new FrameRate((int)Math.Round(f * 1000), 1000);
            return true;
        }
        return false;
    }

    public override string ToString() => $"{Numerator}/{Denominator}";
}
