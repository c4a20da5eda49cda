namespace MatteKit.Metrics;

/// <summary>
/// Marks the largest 4-connected component of a binary image (ties: the one whose first pixel comes first in
/// raster order). Reuses its buffers across calls for one frame size.
/// </summary>
internal sealed class LargestComponent(int width, int height)
{
    private readonly int[] _label = new int[width * height];
    private readonly int[] _queue = new int[width * height];

    public void Find(ReadOnlySpan<bool> mask, Span<bool> largest)
    {
        Array.Clear(_label);
        int next = 0, bestLabel = 0, bestSize = 0;
        for (int start = 0; start < mask.Length; start++)
        {
            if (!mask[start] || _label[start] != 0) continue;
            int label = ++next, head = 0, tail = 0;
            _label[start] = label;
            _queue[tail++] = start;
            while (head < tail)
            {
                int p = _queue[head++];
                int x = p % width, y = p / width;
                if (x > 0) Visit(mask, p - 1, label, ref tail);
                if (x < width - 1) Visit(mask, p + 1, label, ref tail);
                if (y > 0) Visit(mask, p - width, label, ref tail);
                if (y < height - 1) Visit(mask, p + width, label, ref tail);
            }
            if (tail > bestSize) (bestSize, bestLabel) = (tail, label);
        }
        for (int p = 0; p < largest.Length; p++) largest[p] = bestLabel != 0 && _label[p] == bestLabel;
    }

    private void Visit(ReadOnlySpan<bool> mask, int p, int label, ref int tail)
    {
        if (!mask[p] || _label[p] != 0) return;
        _label[p] = label;
        _queue[tail++] = p;
    }
}
