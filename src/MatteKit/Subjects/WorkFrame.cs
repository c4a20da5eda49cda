namespace MatteKit.Subjects;

/// <summary>
/// The grid <see cref="SubjectOwnership"/> works on: every <see cref="Scale"/>-th pixel of the frame, so that the grid's
/// longer side stays under twice <see cref="WorkSide"/>. A person's mask holds 256 pixels across them, so at 720p and
/// above a finer grid costs time (masks rendered and distances taken over every pixel) and adds no detail; the map of
/// what is kept is brought back to the frame's pixels (<see cref="SubjectKeep.Upsample"/>).
/// </summary>
internal readonly ref struct WorkFrame
{
    /// <summary>The longer side from which the grid takes every second pixel (every third from three times it, ...).</summary>
    public const int WorkSide = 640;

    private readonly ReadOnlySpan<byte> _rgb24;

    public WorkFrame(ReadOnlySpan<byte> rgb24, int frameWidth, int frameHeight)
    {
        _rgb24 = rgb24;
        (FrameWidth, FrameHeight) = (frameWidth, frameHeight);
        Scale = Math.Max(1, Math.Max(frameWidth, frameHeight) / WorkSide);
        (Width, Height) = ((frameWidth + Scale - 1) / Scale, (frameHeight + Scale - 1) / Scale);
    }

    public int FrameWidth { get; }
    public int FrameHeight { get; }

    /// <summary>Frame pixels per grid pixel, along each side.</summary>
    public int Scale { get; }

    /// <summary>The grid's size: grid pixel (u, v) covers frame pixels [u k, (u + 1) k) x [v k, (v + 1) k).</summary>
    public int Width { get; }
    public int Height { get; }

    /// <summary>The frame on the grid: each grid pixel the colour of the frame pixel at its centre (clipped to the frame).</summary>
    public ReadOnlySpan<byte> Sampled(ref byte[] buffer)
    {
        int count = Width * Height * 3;
        if (buffer.Length < count) buffer = new byte[count];
        for (int v = 0; v < Height; v++)
        {
            int y = Math.Min(v * Scale + Scale / 2, FrameHeight - 1);
            for (int u = 0; u < Width; u++)
            {
                int x = Math.Min(u * Scale + Scale / 2, FrameWidth - 1);
                int from = (y * FrameWidth + x) * 3, to = (v * Width + u) * 3;
                buffer[to] = _rgb24[from];
                buffer[to + 1] = _rgb24[from + 1];
                buffer[to + 2] = _rgb24[from + 2];
            }
        }
        return buffer.AsSpan(0, count);
    }
}
