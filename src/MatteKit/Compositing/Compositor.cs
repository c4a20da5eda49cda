namespace MatteKit.Compositing;

/// <summary>
/// Composites 8-bit foreground and alpha: <c>com = fgr * a + bg * (1 - a)</c>, rounded. Working from the same
/// 8-bit values that are written as the foreground and alpha outputs keeps the three outputs exactly consistent.
/// </summary>
public static class Compositor
{
    public static void OverColor(ReadOnlySpan<byte> foregroundRgb, ReadOnlySpan<byte> alpha, RgbColor background, Span<byte> destinationRgb)
    {
        Check(foregroundRgb, alpha, destinationRgb, 3);
        for (int i = 0; i < alpha.Length; i++)
        {
            int a = alpha[i], inv = 255 - a;
            destinationRgb[3 * i] = Blend(foregroundRgb[3 * i], background.R, a, inv);
            destinationRgb[3 * i + 1] = Blend(foregroundRgb[3 * i + 1], background.G, a, inv);
            destinationRgb[3 * i + 2] = Blend(foregroundRgb[3 * i + 2], background.B, a, inv);
        }
    }

    /// <summary>Over a background picture of the same size (interleaved RGB), e.g. a frame of a background video.</summary>
    public static void OverImage(ReadOnlySpan<byte> foregroundRgb, ReadOnlySpan<byte> alpha, ReadOnlySpan<byte> backgroundRgb, Span<byte> destinationRgb)
    {
        Check(foregroundRgb, alpha, destinationRgb, 3);
        if (backgroundRgb.Length < foregroundRgb.Length) throw new ArgumentException("background is smaller than the frame", nameof(backgroundRgb));
        for (int i = 0; i < alpha.Length; i++)
        {
            int a = alpha[i], inv = 255 - a;
            destinationRgb[3 * i] = Blend(foregroundRgb[3 * i], backgroundRgb[3 * i], a, inv);
            destinationRgb[3 * i + 1] = Blend(foregroundRgb[3 * i + 1], backgroundRgb[3 * i + 1], a, inv);
            destinationRgb[3 * i + 2] = Blend(foregroundRgb[3 * i + 2], backgroundRgb[3 * i + 2], a, inv);
        }
    }

    /// <summary>Straight (not premultiplied) RGBA: the foreground colour with alpha beside it.</summary>
    public static void ToRgba(ReadOnlySpan<byte> foregroundRgb, ReadOnlySpan<byte> alpha, Span<byte> destinationRgba)
    {
        Check(foregroundRgb, alpha, destinationRgba, 4);
        for (int i = 0; i < alpha.Length; i++)
        {
            destinationRgba[4 * i] = foregroundRgb[3 * i];
            destinationRgba[4 * i + 1] = foregroundRgb[3 * i + 1];
            destinationRgba[4 * i + 2] = foregroundRgb[3 * i + 2];
            destinationRgba[4 * i + 3] = alpha[i];
        }
    }

    // (f * a + b * (255 - a)) / 255, rounded half up, in integers.
    private static byte Blend(int f, int b, int a, int inv) => (byte)((f * a + b * inv + 127) / 255);

    private static void Check(ReadOnlySpan<byte> fg, ReadOnlySpan<byte> alpha, ReadOnlySpan<byte> destination, int channels)
    {
        if (fg.Length != alpha.Length * 3 || destination.Length < alpha.Length * channels)
            throw new ArgumentException("foreground, alpha and destination sizes do not agree");
    }
}
