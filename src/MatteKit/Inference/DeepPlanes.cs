namespace MatteKit.Inference;

/// <summary>
/// A network's float alpha and foreground (planar, 0..1) kept in a slot twice: unrounded for deep outputs
/// (<see cref="FrameSlot.AlphaDeep"/>, interleaved <see cref="FrameSlot.ForegroundDeep"/>) and rounded to the 8-bit
/// buffers every other output and step reads, so both say the same.
/// </summary>
internal static class DeepPlanes
{
    public static void Keep(ReadOnlySpan<float> alpha, ReadOnlySpan<float> foregroundPlanar, FrameSlot slot)
    {
        int pixels = slot.Pixels;
        if (alpha.Length < pixels || foregroundPlanar.Length < 3 * pixels) throw new ArgumentException($"results smaller than {slot.Width}x{slot.Height}");
        slot.EnsureMatteBuffers();
        slot.EnsureDeepBuffers();
        for (int i = 0; i < pixels; i++)
        {
            slot.AlphaDeep[i] = Math.Clamp(alpha[i], 0f, 1f);
            for (int c = 0; c < 3; c++) slot.ForegroundDeep[3 * i + c] = Math.Clamp(foregroundPlanar[c * pixels + i], 0f, 1f);
        }
        // Rounded as every 8-bit result is (UnitToBytes), value by value.
        UnitToBytes.Gray8(slot.AlphaDeep.AsSpan(0, pixels), slot.Alpha);
        UnitToBytes.Gray8(slot.ForegroundDeep.AsSpan(0, 3 * pixels), slot.Foreground);
    }
}
