using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MatteKit.Inference;

/// <summary>
/// Interleaved RGB24 to three planes (R, G, B), the layout the network reads. Done while the frame is copied into the
/// session's input buffer anyway, 16 pixels at a time, it costs about what the copy did; inside the graph it was a
/// single-threaded transpose of its own (3 ms a frame at 4K).
/// </summary>
internal static class RgbPlanes
{
    // For each plane, where its 16 bytes sit in the three 16-byte vectors of 16 interleaved pixels (255 = not here).
    private static readonly Vector128<byte>[] Gather =
    {
        Vector128.Create((byte)0, 3, 6, 9, 12, 15, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255),
        Vector128.Create((byte)255, 255, 255, 255, 255, 255, 2, 5, 8, 11, 14, 255, 255, 255, 255, 255),
        Vector128.Create((byte)255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 1, 4, 7, 10, 13),
        Vector128.Create((byte)1, 4, 7, 10, 13, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255),
        Vector128.Create((byte)255, 255, 255, 255, 255, 0, 3, 6, 9, 12, 15, 255, 255, 255, 255, 255),
        Vector128.Create((byte)255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 2, 5, 8, 11, 14),
        Vector128.Create((byte)2, 5, 8, 11, 14, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255),
        Vector128.Create((byte)255, 255, 255, 255, 255, 1, 4, 7, 10, 13, 255, 255, 255, 255, 255, 255),
        Vector128.Create((byte)255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 0, 3, 6, 9, 12, 15),
    };

    /// <param name="rgb24">One frame, 3 bytes a pixel.</param>
    /// <param name="planes">The same frame as the R plane, then G, then B.</param>
    public static void Split(ReadOnlySpan<byte> rgb24, Span<byte> planes)
    {
        int pixels = rgb24.Length / 3;
        if (planes.Length < rgb24.Length) throw new ArgumentException("the planes are smaller than the frame", nameof(planes));
        int done = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            ref byte source = ref MemoryMarshal.GetReference(rgb24);
            ref byte destination = ref MemoryMarshal.GetReference(planes);
            Vector128<byte> r0 = Gather[0], r1 = Gather[1], r2 = Gather[2], g0 = Gather[3], g1 = Gather[4], g2 = Gather[5],
                b0 = Gather[6], b1 = Gather[7], b2 = Gather[8];
            nuint plane = (nuint)pixels;
            for (; done + 16 <= pixels; done += 16)
            {
                nuint at = (nuint)(3 * done), to = (nuint)done;
                var v0 = Vector128.LoadUnsafe(ref source, at);
                var v1 = Vector128.LoadUnsafe(ref source, at + 16);
                var v2 = Vector128.LoadUnsafe(ref source, at + 32);
                // Shuffle gives 0 where an index is out of range, so the three parts OR together.
                (Vector128.Shuffle(v0, r0) | Vector128.Shuffle(v1, r1) | Vector128.Shuffle(v2, r2)).StoreUnsafe(ref destination, to);
                (Vector128.Shuffle(v0, g0) | Vector128.Shuffle(v1, g1) | Vector128.Shuffle(v2, g2)).StoreUnsafe(ref destination, plane + to);
                (Vector128.Shuffle(v0, b0) | Vector128.Shuffle(v1, b1) | Vector128.Shuffle(v2, b2)).StoreUnsafe(ref destination, 2 * plane + to);
            }
        }
        for (int i = done; i < pixels; i++)
        {
            planes[i] = rgb24[3 * i];
            planes[pixels + i] = rgb24[3 * i + 1];
            planes[2 * pixels + i] = rgb24[3 * i + 2];
        }
    }
}
