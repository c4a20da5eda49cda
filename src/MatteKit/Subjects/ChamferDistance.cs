namespace MatteKit.Subjects;

/// <summary>Distances in a box of a frame, in two passes (forward and back), to the nearest pixel with a label.</summary>
internal static class ChamferDistance
{
    /// <summary>Chamfer distance (3 a step, 4 a diagonal) of each pixel of the box to the nearest pixel <paramref name="owner"/> marks <paramref name="label"/>.</summary>
    public static void To(byte[] owner, byte label, int[] distance, PixelBox box, int width)
    {
        const int far = int.MaxValue / 2;
        for (int y = box.Top; y < box.Bottom; y++)
            for (int x = box.Left, i = y * width + box.Left; x < box.Right; x++, i++)
            {
                int d = owner[i] == label ? 0 : far;
                if (d > 0)
                {
                    if (x > box.Left) d = Math.Min(d, distance[i - 1] + 3);
                    if (y > box.Top)
                    {
                        d = Math.Min(d, distance[i - width] + 3);
                        if (x > box.Left) d = Math.Min(d, distance[i - width - 1] + 4);
                        if (x + 1 < box.Right) d = Math.Min(d, distance[i - width + 1] + 4);
                    }
                }
                distance[i] = d;
            }
        for (int y = box.Bottom - 1; y >= box.Top; y--)
            for (int x = box.Right - 1, i = y * width + box.Right - 1; x >= box.Left; x--, i--)
            {
                int d = distance[i];
                if (d == 0) continue;
                if (x + 1 < box.Right) d = Math.Min(d, distance[i + 1] + 3);
                if (y + 1 < box.Bottom)
                {
                    d = Math.Min(d, distance[i + width] + 3);
                    if (x + 1 < box.Right) d = Math.Min(d, distance[i + width + 1] + 4);
                    if (x > box.Left) d = Math.Min(d, distance[i + width - 1] + 4);
                }
                distance[i] = d;
            }
    }
}
