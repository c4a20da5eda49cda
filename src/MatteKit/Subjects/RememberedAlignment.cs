namespace MatteKit.Subjects;

/// <summary>
/// Where a remembered crop of a person lies in this frame: a motion fitted to a few frames drifts, so the crop's
/// colours are matched to the frame around where the motion puts it.
/// </summary>
internal static class RememberedAlignment
{
    /// <summary>How far a remembered crop lies from where the frame shows it: the shift (within <see cref="AlignReach"/> pixels) that best matches its colours.</summary>
    public static (int X, int Y) Shift(PersonCrop remembered, PoseRoi roi, ReadOnlySpan<byte> rgb24, int width, int height)
    {
        // The person's pixels on a coarse grid of the crop, where they land in the frame unshifted.
        var samples = new List<(int X, int Y, int Colour)>();
        const int step = 4, side = PoseRoi.CropSide;
        for (int v = step / 2; v < side; v += step)
            for (int u = step / 2; u < side; u += step)
            {
                if (remembered.Mask[v * side + u] < SubjectOwnership.Inside) continue;
                var (x, y) = roi.ToFrame(u + 0.5f, v + 0.5f);
                samples.Add(((int)MathF.Floor(x), (int)MathF.Floor(y), (v * side + u) * 3));
            }
        if (samples.Count == 0) return (0, 0);
        var rgb = remembered.Rgb;
        float Cost(int sx, int sy, ReadOnlySpan<byte> frame)
        {
            long sum = 0;
            int n = 0;
            foreach (var (x0, y0, c) in samples)
            {
                int x = x0 + sx, y = y0 + sy;
                if ((uint)x >= (uint)width || (uint)y >= (uint)height) continue;
                int f = (y * width + x) * 3;
                // Truncated: the part of someone hidden behind another person costs the same wherever it is put.
                sum += Math.Min(AlignTruncation, Math.Abs(frame[f] - rgb[c]) + Math.Abs(frame[f + 1] - rgb[c + 1]) + Math.Abs(frame[f + 2] - rgb[c + 2]));
                n++;
            }
            return n == 0 ? float.MaxValue : (float)sum / n;
        }
        (int X, int Y) best = (0, 0);
        float bestCost = Cost(0, 0, rgb24);
        for (int sy = -AlignReach; sy <= AlignReach; sy += 2)
            for (int sx = -AlignReach; sx <= AlignReach; sx += 2)
            {
                float c = Cost(sx, sy, rgb24);
                if (c < bestCost) (best, bestCost) = ((sx, sy), c);
            }
        var coarse = best;
        for (int sy = coarse.Y - 1; sy <= coarse.Y + 1; sy++)
            for (int sx = coarse.X - 1; sx <= coarse.X + 1; sx++)
            {
                float c = Cost(sx, sy, rgb24);
                if (c < bestCost) (best, bestCost) = ((sx, sy), c);
            }
        // Someone mostly hidden matches nowhere well, and a shift would follow whoever passes in front: they keep to
        // their motion until enough of them shows again.
        int matching = 0;
        foreach (var (x0, y0, c) in samples)
        {
            int x = x0 + best.X, y = y0 + best.Y;
            if ((uint)x >= (uint)width || (uint)y >= (uint)height) continue;
            int f = (y * width + x) * 3;
            if (Math.Abs(rgb24[f] - rgb[c]) + Math.Abs(rgb24[f + 1] - rgb[c + 1]) + Math.Abs(rgb24[f + 2] - rgb[c + 2]) < AlignTruncation / 2) matching++;
        }
        return matching >= AlignVisibleShare * samples.Count ? best : (0, 0);
    }

    /// <summary>Share of a remembered person's pixels that must match the frame somewhere for the shift to be taken.</summary>
    private const float AlignVisibleShare = 0.4f;

    /// <summary>Pixels a remembered crop is searched each way from where the person's motion puts it, each frame.</summary>
    private const int AlignReach = 8;
    private const int AlignTruncation = 90;
}
