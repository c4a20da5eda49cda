namespace MatteKit.Subjects;

/// <summary>
/// Keeps alpha inside the subject's region and sets it to 0 elsewhere: the region is a rectangle whose edge is
/// feathered over a twentieth of its diagonal (a linear ramp inside the rectangle), so the cut never shows as a
/// hard line when the region crosses a hand or hair.
/// </summary>
internal static class SubjectMask
{
    public const float FeatherFraction = 0.05f;

    /// <summary>Multiplies <paramref name="alpha"/> (one byte a pixel, <paramref name="width"/> x <paramref name="height"/>) by the region; null clears it.</summary>
    public static void Apply(PersonBox? region, Span<byte> alpha, int width, int height)
    {
        if (alpha.Length != (long)width * height) throw new ArgumentException($"alpha of {alpha.Length} bytes for {width}x{height}", nameof(alpha));
        if (region is not { } r || r.Width <= 0 || r.Height <= 0)
        {
            alpha.Clear();
            return;
        }
        float feather = Math.Max(1f, FeatherFraction * MathF.Sqrt(r.Width * r.Width + r.Height * r.Height));
        var column = new float[width];
        for (int x = 0; x < width; x++) column[x] = Ramp(x + 0.5f - r.Left, r.Right - (x + 0.5f), feather);
        for (int y = 0; y < height; y++)
        {
            var row = alpha.Slice(y * width, width);
            float vertical = Ramp(y + 0.5f - r.Top, r.Bottom - (y + 0.5f), feather);
            if (vertical <= 0)
            {
                row.Clear();
                continue;
            }
            for (int x = 0; x < width; x++)
            {
                float keep = Math.Min(vertical, column[x]);
                if (keep >= 1) continue;
                row[x] = keep <= 0 ? (byte)0 : (byte)(row[x] * keep + 0.5f);
            }
        }
    }

    private static float Ramp(float fromStart, float toEnd, float feather) => Math.Clamp(Math.Min(fromStart, toEnd) / feather, 0f, 1f);
}
