namespace MatteKit.Metrics;

/// <summary>
/// Contour accuracy F of a segmentation (DAVIS boundary F-measure): the boundary of a mask is the pixels that
/// differ from their right, lower or lower-right neighbour (outside the frame counts as background, except that
/// the last row compares only with the right neighbour, the last column only with the lower one, and the corner
/// pixel is never boundary). A boundary pixel of one mask matches when a boundary pixel of the other lies within
/// <c>r = ceil(0.008 * sqrt(W² + H²))</c> pixels (Euclidean disk, <c>dx² + dy² ≤ r²</c>).
/// <c>P = matched pred boundary / pred boundary</c>, <c>R = matched true boundary / true boundary</c>,
/// <c>F = 2PR / (P + R)</c> (0 when P + R = 0). With an empty boundary: both empty gives P = R = 1, only pred empty
/// gives P = 1, R = 0, only true empty gives P = 0, R = 1 (the DAVIS toolkit's conventions).
/// </summary>
internal static class ContourAccuracy
{
    public const double BoundFraction = 0.008;

    public static double Compute(ReadOnlySpan<bool> predicted, ReadOnlySpan<bool> truth, int width, int height)
    {
        MetricArguments.CheckPlane(predicted, width, height, "prediction");
        MetricArguments.CheckPlane(truth, width, height, "ground truth");
        int radius = (int)Math.Ceiling(BoundFraction * Math.Sqrt((double)width * width + (double)height * height));
        var pb = Boundary(predicted, width, height);
        var tb = Boundary(truth, width, height);
        var pDilated = Dilate(pb, width, height, radius);
        var tDilated = Dilate(tb, width, height, radius);
        long nPred = 0, nTrue = 0, predMatched = 0, trueMatched = 0;
        for (int i = 0; i < pb.Length; i++)
        {
            if (pb[i]) { nPred++; if (tDilated[i]) predMatched++; }
            if (tb[i]) { nTrue++; if (pDilated[i]) trueMatched++; }
        }
        double precision, recall;
        if (nPred == 0 && nTrue == 0) (precision, recall) = (1, 1);
        else if (nPred == 0) (precision, recall) = (1, 0);
        else if (nTrue == 0) (precision, recall) = (0, 1);
        else (precision, recall) = ((double)predMatched / nPred, (double)trueMatched / nTrue);
        return precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
    }

    internal static bool[] Boundary(ReadOnlySpan<bool> mask, int width, int height)
    {
        var b = new bool[mask.Length];
        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
        {
            bool m = mask[y * width + x];
            bool lastRow = y == height - 1, lastColumn = x == width - 1;
            if (lastRow && lastColumn) continue;
            bool east = !lastColumn && mask[y * width + x + 1];
            bool south = !lastRow && mask[(y + 1) * width + x];
            bool southEast = !lastRow && !lastColumn && mask[(y + 1) * width + x + 1];
            b[y * width + x] = lastRow ? m != east : lastColumn ? m != south : m != east || m != south || m != southEast;
        }
        return b;
    }

    /// <summary>Binary dilation by the disk of the given radius, stamped from each set pixel.</summary>
    private static bool[] Dilate(bool[] set, int width, int height, int radius)
    {
        var offsets = new List<(int Dx, int Dy)>();
        for (int dy = -radius; dy <= radius; dy++)
        for (int dx = -radius; dx <= radius; dx++)
            if (dx * dx + dy * dy <= radius * radius) offsets.Add((dx, dy));
        var result = new bool[set.Length];
        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
        {
            if (!set[y * width + x]) continue;
            foreach (var (dx, dy) in offsets)
            {
                int nx = x + dx, ny = y + dy;
                if ((uint)nx < (uint)width && (uint)ny < (uint)height) result[ny * width + nx] = true;
            }
        }
        return result;
    }
}
