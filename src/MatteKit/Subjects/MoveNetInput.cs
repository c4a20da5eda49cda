namespace MatteKit.Subjects;

/// <summary>
/// Where a frame goes in MoveNet's input: scaled to fit <see cref="LongSide"/> pixels on its longer side keeping its
/// aspect, then padded at the right and bottom to multiples of 32 (the network's stride).
/// </summary>
internal readonly record struct MoveNetInput(int Width, int Height, int ScaledWidth, int ScaledHeight)
{
    /// <summary>MoveNet Lightning's documented input: 256 pixels on the longer side.</summary>
    public const int LongSide = 256;

    public static MoveNetInput For(int frameWidth, int frameHeight)
    {
        double scale = (double)LongSide / Math.Max(frameWidth, frameHeight);
        int sw = Math.Max(1, (int)Math.Round(frameWidth * scale)), sh = Math.Max(1, (int)Math.Round(frameHeight * scale));
        return new MoveNetInput(RoundUp(sw), RoundUp(sh), sw, sh);
    }

    private static int RoundUp(int n) => (n + 31) / 32 * 32;
}
