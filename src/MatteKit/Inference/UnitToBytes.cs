namespace MatteKit.Inference;

/// <summary>Network outputs in 0..1 as 8-bit pixels (rounded, clamped), shared by every result type.</summary>
internal static class UnitToBytes
{
    public static byte ToByte(float v) => (byte)Math.Clamp(MathF.Round(v * 255f), 0f, 255f);

    /// <summary>One plane, value by value.</summary>
    public static void Gray8(ReadOnlySpan<float> plane, Span<byte> destination)
    {
        if (destination.Length < plane.Length) throw new ArgumentException("destination is smaller than the frame", nameof(destination));
        for (int i = 0; i < plane.Length; i++) destination[i] = ToByte(plane[i]);
    }

    /// <summary>Three planes (R, G, B of <paramref name="pixels"/> each) interleaved as RGB24.</summary>
    public static void Rgb24(ReadOnlySpan<float> planar, int pixels, Span<byte> destination)
    {
        if (destination.Length < pixels * 3) throw new ArgumentException("destination is smaller than the frame", nameof(destination));
        for (int i = 0; i < pixels; i++)
        {
            destination[3 * i] = ToByte(planar[i]);
            destination[3 * i + 1] = ToByte(planar[pixels + i]);
            destination[3 * i + 2] = ToByte(planar[2 * pixels + i]);
        }
    }
}
