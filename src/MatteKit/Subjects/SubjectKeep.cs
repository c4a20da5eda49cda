using MatteKit.Inference;
namespace MatteKit.Subjects;

/// <summary>
/// One frame's share of RVM's alpha that is the subject's, in 255ths: 255 on the subject's pixels, 0 on everyone
/// else's, a fade where nobody's mask reaches; 0 outside <see cref="Box"/>. It depends on the frame's colours and the
/// person pass only, never on the alpha, so a plan's person pass can store it (<see cref="SubjectKeepWriter"/>) and
/// each chunk apply it to its own alpha exactly as one pass does.
/// </summary>
internal sealed class SubjectKeep
{
    /// <summary>The values inside <see cref="Box"/>, row by row; reused from frame to frame.</summary>
    public byte[] Values = [];

    public int Width { get; private set; }
    public int Height { get; private set; }

    /// <summary>Where the values lie; an empty box keeps nothing (nobody followed in this frame).</summary>
    public PixelBox Box { get; private set; }

    public int BoxWidth => Box.Right - Box.Left;
    public int BoxHeight => Box.Bottom - Box.Top;

    /// <summary>Sets the frame size and box; the values inside it are the caller's to write (<see cref="Row"/>).</summary>
    public void Reset(int width, int height, PixelBox box)
    {
        if (box.Left < 0 || box.Top < 0 || box.Right > width || box.Bottom > height || box.Right < box.Left || box.Bottom < box.Top)
            throw new ArgumentException($"box {box} outside a {width}x{height} frame", nameof(box));
        (Width, Height, Box) = (width, height, box);
        int count = BoxWidth * BoxHeight;
        if (Values.Length < count) Values = new byte[count];
    }

    /// <summary>Keeps nothing in a frame of this size.</summary>
    public void KeepNothing(int width, int height) => Reset(width, height, default);

    /// <summary>Row <paramref name="y"/> (a frame row inside the box) of the values, from the box's left.</summary>
    public Span<byte> Row(int y) => Values.AsSpan((y - Box.Top) * BoxWidth, BoxWidth);

    /// <summary>Multiplies <paramref name="alpha"/> (the frame's, <see cref="Width"/> x <see cref="Height"/>) by the share kept, rounded.</summary>
    public void ApplyTo(Span<byte> alpha) => Apply<byte, ByteShare>(alpha);

    /// <summary>As <see cref="ApplyTo(Span{byte})"/> on the unrounded alpha (0..1) of a deep output.</summary>
    public void ApplyTo(Span<float> alpha) => Apply<float, FloatShare>(alpha);

    /// <summary>
    /// A slot's alpha: the unrounded one where the runner kept it (then rounded into the 8-bit one, so both say the same),
    /// else the 8-bit one.
    /// </summary>
    public void ApplyTo(FrameSlot slot)
    {
        if (!slot.HasDeep)
        {
            ApplyTo(slot.Alpha.AsSpan(0, slot.Pixels));
            return;
        }
        ApplyTo(slot.AlphaDeep.AsSpan(0, slot.Pixels));
        UnitToBytes.Gray8(slot.AlphaDeep.AsSpan(0, slot.Pixels), slot.Alpha);
    }

    // The share kept, as a type so that each element type gets its own loop (no call per pixel).
    private interface IShare<T>
    {
        static abstract T Times(T alpha, int keep);
    }

    // 255 keeps alpha as it is and 0 clears it; between, the product rounded to the nearest.
    private readonly struct ByteShare : IShare<byte>
    {
        public static byte Times(byte alpha, int keep) => (byte)((alpha * keep + 127) / 255);
    }

    private readonly struct FloatShare : IShare<float>
    {
        public static float Times(float alpha, int keep) => alpha * keep / 255f;
    }

    private void Apply<T, TShare>(Span<T> alpha) where TShare : IShare<T>
    {
        if (alpha.Length != (long)Width * Height) throw new ArgumentException($"alpha of {alpha.Length} values for a {Width}x{Height} keep map", nameof(alpha));
        for (int y = 0; y < Height; y++)
        {
            var row = alpha.Slice(y * Width, Width);
            if (y < Box.Top || y >= Box.Bottom)
            {
                row.Clear();
                continue;
            }
            row[..Box.Left].Clear();
            row[Box.Right..].Clear();
            var keep = Row(y);
            var inside = row[Box.Left..Box.Right];
            for (int x = 0; x < inside.Length; x++)
                if (keep[x] != 255) inside[x] = TShare.Times(inside[x], keep[x]);
        }
    }

    /// <summary>
    /// This frame's map from <paramref name="grid"/>, the same map worked out on every <paramref name="scale"/>-th pixel
    /// (<see cref="WorkFrame"/>): bilinear between grid pixel centres, clamped at the box's edges, in whole numbers so
    /// that 255 stays 255 and 0 stays 0.
    /// </summary>
    public void Upsample(SubjectKeep grid, int scale, int width, int height)
    {
        if (scale < 1) throw new ArgumentOutOfRangeException(nameof(scale), $"scale {scale}");
        var g = grid.Box;
        if (g.Right == g.Left || g.Bottom == g.Top)
        {
            KeepNothing(width, height);
            return;
        }
        Reset(width, height, new PixelBox(Math.Min(g.Left * scale, width), Math.Min(g.Top * scale, height), Math.Min(g.Right * scale, width), Math.Min(g.Bottom * scale, height)));
        int twice = 2 * scale, whole = twice * twice;
        // Frame pixel x lies at (2x + 1 - k) / 2k in grid pixels (centres at whole numbers): the two grid columns
        // around it and the weight of the second, in 2k-ths.
        var (left, right, weight) = (new int[BoxWidth], new int[BoxWidth], new int[BoxWidth]);
        for (int x = Box.Left; x < Box.Right; x++) (left[x - Box.Left], right[x - Box.Left], weight[x - Box.Left]) = Between(x, scale, g.Left, g.Right);
        for (int y = Box.Top; y < Box.Bottom; y++)
        {
            var (top, bottom, wy) = Between(y, scale, g.Top, g.Bottom);
            var upper = grid.Row(top);
            var lower = grid.Row(bottom);
            var row = Row(y);
            for (int i = 0; i < row.Length; i++)
            {
                int l = left[i] - g.Left, r = right[i] - g.Left, wx = weight[i];
                int a = upper[l] * (twice - wx) + upper[r] * wx, b = lower[l] * (twice - wx) + lower[r] * wx;
                row[i] = (byte)((a * (twice - wy) + b * wy + whole / 2) / whole);
            }
        }
    }

    /// <summary>The grid rows (or columns) around frame row <paramref name="at"/>, clamped to [<paramref name="from"/>, <paramref name="to"/>), and the second one's weight in 2k-ths.</summary>
    private static (int First, int Second, int Weight) Between(int at, int scale, int from, int to)
    {
        int twice = 2 * scale, position = 2 * at + 1 - scale;
        int first = (int)Math.Floor(position / (double)twice), weight = position - first * twice;
        if (first < from) return (from, from, 0);
        if (first >= to - 1) return (to - 1, to - 1, 0);
        return (first, first + 1, weight);
    }

    /// <summary>The same map in another instance (its own values).</summary>
    public void CopyTo(SubjectKeep other)
    {
        other.Reset(Width, Height, Box);
        Values.AsSpan(0, BoxWidth * BoxHeight).CopyTo(other.Values);
    }
}
