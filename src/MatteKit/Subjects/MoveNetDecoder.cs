namespace MatteKit.Subjects;

/// <summary>
/// MoveNet MultiPose's decoding of its heads into at most six people, as its TF.js graph computes it after the
/// network (the facts and constants read from that graph): the centre heatmap's local maxima (5x5) are ranked and
/// the top six kept; each has a box (its centre offset and size heads) and 17 regressed keypoints; each keypoint is
/// then snapped to the keypoint heatmap's maximum inside the box, weighted by a Gaussian of the distance to the
/// regressed point, and refined by the offset head. A keypoint's score is the largest weighted heatmap value any
/// candidate gives at that cell; a person's score is its centre's times the mean of its keypoint scores above
/// 0.127. Results are in grid cells of the heads (<see cref="Decode"/> maps them to frame pixels).
/// </summary>
internal static class MoveNetDecoder
{
    public const int MaxPeople = 6;
    private const int NmsRadius = 2;                    // MaxPool 5x5, SAME
    private const float PeakTolerance = 1.0132789611816406e-06f;
    private const float SigmaFactor = 0.300048828125f;   // the Gaussian's 2 sigma^2 = min(H, W) * this
    private const float KeypointThreshold = 0.126953125f;

    /// <summary>People in frame pixels: grid cell c maps to <c>c * stride / scale</c>.</summary>
    public static List<PersonDetection> Decode(MoveNetHeads heads, double scaleX, double scaleY)
    {
        int w = heads.Width, h = heads.Height, cells = w * h, k = MoveNetHeads.Keypoints;
        double stride = 4;
        var candidates = TopCentres(heads);
        int n = candidates.Count;
        var boxes = new (float Top, float Left, float Bottom, float Right)[n];
        var regressed = new (float Y, float X)[n, k];
        for (int p = 0; p < n; p++)
        {
            var (_, y, x) = candidates[p];
            float sh = Math.Max(heads.At(heads.BoxScale, 0, y, x), 0), sw = Math.Max(heads.At(heads.BoxScale, 1, y, x), 0);
            float cy = y + heads.At(heads.BoxOffset, 0, y, x), cx = x + heads.At(heads.BoxOffset, 1, y, x);
            boxes[p] = (Math.Clamp(cy - sh * 0.5f, 0, h), Math.Clamp(cx - sw * 0.5f, 0, w), Math.Clamp(cy + sh * 0.5f, 0, h), Math.Clamp(cx + sw * 0.5f, 0, w));
            for (int j = 0; j < k; j++)
                regressed[p, j] = (y + heads.At(heads.Regress, 2 * j, y, x), x + heads.At(heads.Regress, 2 * j + 1, y, x));
        }

        // The keypoint heatmap near each candidate's regressed keypoint, inside its box, and per keypoint and cell the
        // largest of these over the candidates (a keypoint's score). Outside a box the weighted heatmap is 0 and the
        // heatmap is a sigmoid's (never below 0), so only the cells inside are visited: the peak is the first cell of the
        // largest value in row order, as over the whole grid, and cell 0 when every value is 0 (2.5-3.0 ms a frame before,
        // 0.25-0.46 after, on the 64x64 heads of a 256x256 input).
        float twoSigmaSquared = Math.Min(h, w) * SigmaFactor;
        float[] best = heads.Best;
        Array.Clear(best);
        int[] peaks = heads.Peaks;
        for (int p = 0; p < n; p++)
        {
            var box = boxes[p];
            int top = Math.Max(0, (int)MathF.Ceiling(box.Top)), bottom = Math.Min(h, (int)MathF.Ceiling(box.Bottom));
            int left = Math.Max(0, (int)MathF.Ceiling(box.Left)), right = Math.Min(w, (int)MathF.Ceiling(box.Right));
            for (int j = 0; j < k; j++)
            {
                var (ry, rx) = regressed[p, j];
                float max = 0;
                int at = 0;
                for (int gy = top; gy < bottom; gy++)
                    for (int gx = left; gx < right; gx++)
                    {
                        int cell = gy * w + gx;
                        float dy = gy - ry, dx = gx - rx;
                        float v = heads.Heatmap[j * cells + cell] * MathF.Exp(-(dy * dy + dx * dx) / twoSigmaSquared);
                        if (v > best[j * cells + cell]) best[j * cells + cell] = v;
                        if (v > max) (max, at) = (v, cell);
                    }
                peaks[p * k + j] = at;
            }
        }

        var people = new List<PersonDetection>(n);
        for (int p = 0; p < n; p++)
        {
            var keypoints = new Keypoint[k];
            float sum = 0;
            int counted = 0;
            for (int j = 0; j < k; j++)
            {
                int at = peaks[p * k + j];
                int ky = at / w, kx = at % w;
                float y = ky + heads.At(heads.Offset, 2 * j, ky, kx), x = kx + heads.At(heads.Offset, 2 * j + 1, ky, kx);
                float score = best[j * cells + at];
                keypoints[j] = new Keypoint((float)(x * stride / scaleX), (float)(y * stride / scaleY), score);
                if (score > KeypointThreshold)
                {
                    sum += score;
                    counted++;
                }
            }
            var b = boxes[p];
            var personBox = new PersonBox((float)(b.Left * stride / scaleX), (float)(b.Top * stride / scaleY),
                (float)(b.Right * stride / scaleX), (float)(b.Bottom * stride / scaleY));
            people.Add(new PersonDetection(candidates[p].Score * sum / Math.Max(counted, 1), personBox, keypoints));
        }
        return people;
    }

    /// <summary>The centre heatmap's 5x5 local maxima, the six highest (ties: the lower index, as TopK keeps them).</summary>
    private static List<(float Score, int Y, int X)> TopCentres(MoveNetHeads heads)
    {
        int w = heads.Width, h = heads.Height;
        var peaks = new List<(float Score, int Index)>(w * h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                float c = heads.Center[y * w + x], max = float.NegativeInfinity;
                for (int dy = -NmsRadius; dy <= NmsRadius; dy++)
                    for (int dx = -NmsRadius; dx <= NmsRadius; dx++)
                    {
                        int yy = y + dy, xx = x + dx;
                        if (yy >= 0 && yy < h && xx >= 0 && xx < w) max = Math.Max(max, heads.Center[yy * w + xx]);
                    }
                peaks.Add((Math.Abs(c - max) < PeakTolerance ? c : 0, y * w + x));
            }
        return peaks.OrderByDescending(p => p.Score).ThenBy(p => p.Index).Take(MaxPeople)
            .Select(p => (p.Score, p.Index / w, p.Index % w)).ToList();
    }
}
