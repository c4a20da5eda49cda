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
    public void ApplyTo(Span<byte> alpha)
    {
        if (alpha.Length != (long)Width * Height) throw new ArgumentException($"alpha of {alpha.Length} bytes for a {Width}x{Height} keep map", nameof(alpha));
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
            {
                int k = keep[x];
                // 255 keeps alpha as it is and 0 clears it; between, the product rounded to the nearest.
                if (k != 255) inside[x] = (byte)((inside[x] * k + 127) / 255);
            }
        }
    }

    /// <summary>The same map in another instance (its own values).</summary>
    public void CopyTo(SubjectKeep other)
    {
        other.Reset(Width, Height, Box);
        Values.AsSpan(0, BoxWidth * BoxHeight).CopyTo(other.Values);
    }
}
