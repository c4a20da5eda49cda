namespace MatteKit.Inference;

/// <summary>
/// Foreground and alpha of T consecutive frames matted in one call (<see cref="VideoMatter.ProcessChunk"/>). The
/// spans view buffers the <see cref="VideoMatter"/> reuses, so they are valid until its next call.
/// </summary>
public readonly ref struct MatteChunk
{
    internal MatteChunk(int frames, int width, int height, double ratio, ReadOnlySpan<float> foreground, ReadOnlySpan<float> alpha)
    {
        Frames = frames;
        Width = width;
        Height = height;
        DownsampleRatio = ratio;
        Foreground = foreground;
        Alpha = alpha;
    }

    public int Frames { get; }
    public int Width { get; }
    public int Height { get; }

    /// <summary>The ratio the frames were processed at (the resolved value when <c>auto</c> was asked for).</summary>
    public double DownsampleRatio { get; }

    /// <summary>Each frame's planar foreground RGB in 0..1 (R, G, B planes of <c>Height x Width</c>), frame after frame.</summary>
    public ReadOnlySpan<float> Foreground { get; }

    /// <summary>Each frame's alpha in 0..1 (<c>Height x Width</c>), frame after frame.</summary>
    public ReadOnlySpan<float> Alpha { get; }

    /// <summary>The result of frame <paramref name="index"/> (0 = the chunk's first).</summary>
    public MatteResult Frame(int index)
    {
        if ((uint)index >= (uint)Frames) throw new ArgumentOutOfRangeException(nameof(index), index, $"the chunk has {Frames} frames");
        int plane = Width * Height;
        return new MatteResult(Width, Height, DownsampleRatio,
            Foreground.Slice(index * 3 * plane, 3 * plane), Alpha.Slice(index * plane, plane));
    }
}
