using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MatteKit.Compositing;

/// <summary>
/// Composites 8-bit foreground and alpha: <c>com = fgr * a + bg * (1 - a)</c>, rounded. Working from the same
/// 8-bit values that are written as the foreground and alpha outputs keeps the three outputs exactly consistent.
/// </summary>
/// <remarks>
/// It runs once per output frame on the converter's encode thread, where at 1080p the plain loop took 7 ms of
/// the CPU the encoders and inference share; 16 pixels at a time in 128-bit vectors give the same bytes.
/// </remarks>
internal static class Compositor
{
    // Alpha of 16 pixels spread over their 48 RGB bytes: each alpha byte three times, in three vectors.
    private static readonly Vector128<byte> Spread0 = Vector128.Create((byte)0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5);
    private static readonly Vector128<byte> Spread1 = Vector128.Create((byte)5, 5, 6, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9, 9, 10, 10);
    private static readonly Vector128<byte> Spread2 = Vector128.Create((byte)10, 11, 11, 11, 12, 12, 12, 13, 13, 13, 14, 14, 14, 15, 15, 15);

    // Straight RGBA of 16 pixels: output vector j (pixels 4j..4j+3) gathers from the three RGB vectors and alpha.
    private static readonly Vector128<byte>[] RgbaGather = MakeRgbaGather();

    public static void OverColor(ReadOnlySpan<byte> foregroundRgb, ReadOnlySpan<byte> alpha, RgbColor background, Span<byte> destinationRgb)
    {
        Check(foregroundRgb, alpha, destinationRgb, 3);
        // The colour repeated over 48 bytes (16 pixels) is the same three vectors in every block.
        Span<byte> pattern = stackalloc byte[48];
        for (int i = 0; i < 16; i++) (pattern[3 * i], pattern[3 * i + 1], pattern[3 * i + 2]) = (background.R, background.G, background.B);
        var colour = (Vector128.Create<byte>(pattern), Vector128.Create<byte>(pattern[16..]), Vector128.Create<byte>(pattern[32..]));
        int i0 = BlendBlocks(foregroundRgb, alpha, default, colour, destinationRgb);
        for (int i = i0; i < alpha.Length; i++)
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
        int i0 = BlendBlocks(foregroundRgb, alpha, backgroundRgb, default, destinationRgb);
        for (int i = i0; i < alpha.Length; i++)
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
        int done = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            ref byte fg = ref MemoryMarshal.GetReference(foregroundRgb);
            ref byte a = ref MemoryMarshal.GetReference(alpha);
            ref byte dst = ref MemoryMarshal.GetReference(destinationRgba);
            for (; done + 16 <= alpha.Length; done += 16)
            {
                nuint at = (nuint)(3 * done);
                var v0 = Vector128.LoadUnsafe(ref fg, at);
                var v1 = Vector128.LoadUnsafe(ref fg, at + 16);
                var v2 = Vector128.LoadUnsafe(ref fg, at + 32);
                var va = Vector128.LoadUnsafe(ref a, (nuint)done);
                for (int j = 0; j < 4; j++)
                {
                    var rgba = Vector128.Shuffle(v0, RgbaGather[4 * j]) | Vector128.Shuffle(v1, RgbaGather[4 * j + 1]) |
                               Vector128.Shuffle(v2, RgbaGather[4 * j + 2]) | Vector128.Shuffle(va, RgbaGather[4 * j + 3]);
                    rgba.StoreUnsafe(ref dst, (nuint)(4 * done + 16 * j));
                }
            }
        }
        for (int i = done; i < alpha.Length; i++)
        {
            destinationRgba[4 * i] = foregroundRgb[3 * i];
            destinationRgba[4 * i + 1] = foregroundRgb[3 * i + 1];
            destinationRgba[4 * i + 2] = foregroundRgb[3 * i + 2];
            destinationRgba[4 * i + 3] = alpha[i];
        }
    }

    /// <summary>Straight RGBA made premultiplied in place: each colour times its alpha, rounded (<c>c * a / 255</c>).</summary>
    public static void Premultiply(Span<byte> rgba)
    {
        for (int i = 0; i + 3 < rgba.Length; i += 4)
        {
            int a = rgba[i + 3];
            if (a == 255) continue;
            for (int c = 0; c < 3; c++) rgba[i + c] = (byte)((rgba[i + c] * a + 127) / 255);
        }
    }

    /// <summary>Unrounded straight RGBA (0..1) made premultiplied in place.</summary>
    public static void Premultiply(Span<float> rgba)
    {
        for (int i = 0; i + 3 < rgba.Length; i += 4)
            for (int c = 0; c < 3; c++) rgba[i + c] *= rgba[i + 3];
    }

    /// <summary>
    /// The unrounded composition of a deep output: <c>fgr * a + bg * (1 - a)</c> with the foreground (interleaved RGB) and
    /// alpha in 0..1, over <paramref name="backgroundRgb"/> (8-bit, the frame's size) or, when that is empty,
    /// <paramref name="background"/>.
    /// </summary>
    public static void OverDeep(ReadOnlySpan<float> foregroundRgb, ReadOnlySpan<float> alpha, ReadOnlySpan<byte> backgroundRgb, RgbColor background,
        Span<float> destinationRgb)
    {
        if (foregroundRgb.Length < alpha.Length * 3 || destinationRgb.Length < alpha.Length * 3)
            throw new ArgumentException("foreground, alpha and destination sizes do not agree");
        bool image = !backgroundRgb.IsEmpty;
        if (image && backgroundRgb.Length < alpha.Length * 3) throw new ArgumentException("background is smaller than the frame", nameof(backgroundRgb));
        Span<float> colour = [background.R / 255f, background.G / 255f, background.B / 255f];
        for (int i = 0; i < alpha.Length; i++)
        {
            float a = alpha[i];
            for (int c = 0; c < 3; c++)
            {
                float b = image ? backgroundRgb[3 * i + c] / 255f : colour[c];
                destinationRgb[3 * i + c] = foregroundRgb[3 * i + c] * a + b * (1 - a);
            }
        }
    }

    private static Vector128<byte>[] MakeRgbaGather()
    {
        // Index 255 selects nothing (Shuffle gives 0 there), so the four parts OR together.
        var tables = new byte[16][];
        for (int t = 0; t < 16; t++) tables[t] = Enumerable.Repeat((byte)255, 16).ToArray();
        for (int k = 0; k < 64; k++)
        {
            int pixel = k / 4, channel = k % 4, j = k / 16;
            if (channel == 3) tables[4 * j + 3][k % 16] = (byte)pixel;
            else
            {
                int source = 3 * pixel + channel;
                tables[4 * j + source / 16][k % 16] = (byte)(source % 16);
            }
        }
        return tables.Select(t => Vector128.Create<byte>(t)).ToArray();
    }

    // (f * a + b * (255 - a)) / 255, rounded half up, in integers.
    private static byte Blend(int f, int b, int a, int inv) => (byte)((f * a + b * inv + 127) / 255);

    /// <summary>
    /// Blends whole blocks of 16 pixels over <paramref name="backgroundRgb"/>, or over <paramref name="colour"/>
    /// when that span is empty, and returns the number of pixels done; the caller blends the rest.
    /// </summary>
    private static int BlendBlocks(ReadOnlySpan<byte> foregroundRgb, ReadOnlySpan<byte> alpha, ReadOnlySpan<byte> backgroundRgb,
        (Vector128<byte> A, Vector128<byte> B, Vector128<byte> C) colour, Span<byte> destinationRgb)
    {
        if (!Vector128.IsHardwareAccelerated) return 0;
        bool image = !backgroundRgb.IsEmpty;
        ref byte fg = ref MemoryMarshal.GetReference(foregroundRgb);
        ref byte bg = ref MemoryMarshal.GetReference(backgroundRgb);
        ref byte dst = ref MemoryMarshal.GetReference(destinationRgb);
        int blocks = alpha.Length / 16;
        for (int k = 0; k < blocks; k++)
        {
            var a = Vector128.Create<byte>(alpha.Slice(16 * k, 16));
            nuint at = (nuint)(48 * k);
            for (int part = 0; part < 3; part++)
            {
                nuint offset = at + (nuint)(16 * part);
                var spread = Vector128.Shuffle(a, part == 0 ? Spread0 : part == 1 ? Spread1 : Spread2);
                var back = image ? Vector128.LoadUnsafe(ref bg, offset) : part == 0 ? colour.A : part == 1 ? colour.B : colour.C;
                Blend16(Vector128.LoadUnsafe(ref fg, offset), back, spread).StoreUnsafe(ref dst, offset);
            }
        }
        return blocks * 16;
    }

    // Blend on 16 bytes in 16-bit lanes: f * a + b * (255 - a) + 127 <= 65152, and (x + 1 + (x >> 8)) >> 8 equals
    // x / 255 for every x up to 65534.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Blend16(Vector128<byte> foreground, Vector128<byte> background, Vector128<byte> alpha)
    {
        var (fLow, fHigh) = Vector128.Widen(foreground);
        var (bLow, bHigh) = Vector128.Widen(background);
        var (aLow, aHigh) = Vector128.Widen(alpha);
        var full = Vector128.Create((ushort)255);
        var half = Vector128.Create((ushort)127);
        var one = Vector128.Create((ushort)1);
        var low = fLow * aLow + bLow * (full - aLow) + half;
        var high = fHigh * aHigh + bHigh * (full - aHigh) + half;
        low = (low + one + Vector128.ShiftRightLogical(low, 8)) >> 8;
        high = (high + one + Vector128.ShiftRightLogical(high, 8)) >> 8;
        return Vector128.Narrow(low, high);
    }

    private static void Check(ReadOnlySpan<byte> fg, ReadOnlySpan<byte> alpha, ReadOnlySpan<byte> destination, int channels)
    {
        if (fg.Length != alpha.Length * 3 || destination.Length < alpha.Length * channels)
            throw new ArgumentException("foreground, alpha and destination sizes do not agree");
    }
}
