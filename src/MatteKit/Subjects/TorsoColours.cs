namespace MatteKit.Subjects;

/// <summary>
/// What a person looks like, for telling two people apart when their paths cross: a colour histogram of the torso
/// (the box between the shoulders and the hips, or the middle of the person's box when those are not seen). Clothes
/// change little from frame to frame, and the torso is the part least mixed with the background or a neighbour.
/// </summary>
internal static class TorsoColours
{
    private const int Levels = 4;                    // per channel: 64 bins, coarse enough for light and blur
    public const int Bins = Levels * Levels * Levels;
    private const int MinPixels = 64;

    /// <summary>The normalised histogram of the person's torso; null when it covers too few pixels to say anything.</summary>
    public static float[]? Of(ReadOnlySpan<byte> rgb24, int width, int height, PersonDetection person)
    {
        var (left, top, right, bottom) = TorsoBox(person);
        int x0 = Math.Clamp((int)left, 0, width), x1 = Math.Clamp((int)MathF.Ceiling(right), 0, width);
        int y0 = Math.Clamp((int)top, 0, height), y1 = Math.Clamp((int)MathF.Ceiling(bottom), 0, height);
        if ((long)(x1 - x0) * (y1 - y0) < MinPixels) return null;
        // Every second pixel each way: the histogram is no better for more, and a close-up torso is large.
        var histogram = new float[Bins];
        int count = 0;
        for (int y = y0; y < y1; y += 2)
            for (int x = x0; x < x1; x += 2)
            {
                int i = (y * width + x) * 3;
                histogram[(rgb24[i] * Levels >> 8) * Levels * Levels + (rgb24[i + 1] * Levels >> 8) * Levels + (rgb24[i + 2] * Levels >> 8)]++;
                count++;
            }
        for (int b = 0; b < Bins; b++) histogram[b] /= count;
        return histogram;
    }

    /// <summary>Bhattacharyya coefficient of two normalised histograms: 1 the same colours, 0 none shared.</summary>
    public static float Likeness(float[] a, float[] b)
    {
        float sum = 0;
        for (int i = 0; i < Bins; i++) sum += MathF.Sqrt(a[i] * b[i]);
        return Math.Min(sum, 1f);
    }

    /// <summary>Blends a new sighting into what is known of a person (clothes seen in more light count for more over time).</summary>
    public static void Blend(float[] known, float[] seen, float weight)
    {
        for (int i = 0; i < Bins; i++) known[i] += weight * (seen[i] - known[i]);
    }

    private static (float Left, float Top, float Right, float Bottom) TorsoBox(PersonDetection person)
    {
        var k = person.Keypoints;
        if (k.Count >= 13 && new[] { 5, 6, 11, 12 }.All(i => k[i].Score >= Keypoint.ConfidentScore))
        {
            float left = new[] { 5, 6, 11, 12 }.Min(i => k[i].X), right = new[] { 5, 6, 11, 12 }.Max(i => k[i].X);
            float top = Math.Min(k[5].Y, k[6].Y), bottom = Math.Max(k[11].Y, k[12].Y);
            // The inner part: the arms hang beside the shoulders, and the hips' keypoints lie at the body's edge.
            float shrinkX = (right - left) * 0.2f, shrinkY = (bottom - top) * 0.1f;
            return (left + shrinkX, top + shrinkY, right - shrinkX, bottom - shrinkY);
        }
        var b = person.Box;
        return (b.Left + b.Width * 0.3f, b.Top + b.Height * 0.25f, b.Right - b.Width * 0.3f, b.Top + b.Height * 0.6f);
    }
}
