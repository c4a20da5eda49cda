namespace MatteKit.Inference;

/// <summary>
/// Foreground and alpha of T consecutive frames matted in one call (<see cref="VideoMatter.ProcessChunk"/>). The
/// results view buffers the <see cref="VideoMatter"/> reuses, so they are valid until its next call.
/// </summary>
internal readonly ref struct MatteChunk
{
    private readonly ReadOnlySpan<float> _matte;

    // matte: frame after frame, each frame's foreground R, G, B planes then its alpha plane.
    internal MatteChunk(int frames, int width, int height, double ratio, ReadOnlySpan<float> matte)
    {
        Frames = frames;
        Width = width;
        Height = height;
        DownsampleRatio = ratio;
        _matte = matte;
    }

    public int Frames { get; }
    public int Width { get; }
    public int Height { get; }

    /// <summary>The ratio the frames were processed at (the resolved value when <c>auto</c> was asked for).</summary>
    public double DownsampleRatio { get; }

    /// <summary>The result of frame <paramref name="index"/> (0 = the chunk's first).</summary>
    public MatteResult Frame(int index)
    {
        if ((uint)index >= (uint)Frames) throw new ArgumentOutOfRangeException(nameof(index), index, $"the chunk has {Frames} frames");
        int plane = Width * Height;
        var frame = _matte.Slice(index * 4 * plane, 4 * plane);
        return new MatteResult(Width, Height, DownsampleRatio, frame[..(3 * plane)], frame[(3 * plane)..]);
    }
}
