namespace MatteKit.Media;

/// <summary>
/// The sRGB transfer function (IEC 61966-2-1): encoded values to linear light, for outputs that store linear light
/// (OpenEXR). A table of 4,096 steps read with linear interpolation: within 3e-8 of the formula, far below a half
/// float's precision.
/// </summary>
internal static class SrgbTransfer
{
    private const int Steps = 4096;
    private static readonly float[] Table = MakeTable();

    /// <summary>The formula itself, for the table and for tests.</summary>
    public static double Decode(double v) => v <= 0.04045 ? v / 12.92 : Math.Pow((v + 0.055) / 1.055, 2.4);

    /// <summary>Linear light of an encoded value in 0..1 (clamped).</summary>
    public static float ToLinear(float encoded)
    {
        float at = Math.Clamp(encoded, 0f, 1f) * Steps;
        int i = Math.Min((int)at, Steps - 1);
        float t = at - i;
        return Table[i] + (Table[i + 1] - Table[i]) * t;
    }

    private static float[] MakeTable()
    {
        var table = new float[Steps + 1];
        for (int i = 0; i <= Steps; i++) table[i] = (float)Decode(i / (double)Steps);
        return table;
    }
}
