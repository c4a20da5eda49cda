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
            float a = Math.Clamp(alpha[i], 0f, 1f);
            slot.AlphaDeep[i] = a;
            slot.Alpha[i] = UnitToBytes.ToByte(a);
            for (int c = 0; c < 3; c++)
            {
                float v = Math.Clamp(foregroundPlanar[c * pixels + i], 0f, 1f);
                slot.ForegroundDeep[3 * i + c] = v;
                slot.Foreground[3 * i + c] = UnitToBytes.ToByte(v);
            }
        }
    }
}
