using MatteKit.Inference;

namespace MatteKit;

/// <summary>
/// Foreground and alpha of one frame. The spans view buffers the <see cref="VideoMatter"/> reuses, so they are
/// valid until its next <c>Process</c> call; copy what must outlive that.
/// </summary>
public readonly ref struct MatteResult
{
    internal MatteResult(int width, int height, double ratio, ReadOnlySpan<float> foreground, ReadOnlySpan<float> alpha)
    {
        Width = width;
        Height = height;
        DownsampleRatio = ratio;
        Foreground = foreground;
        Alpha = alpha;
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>The ratio the frame was processed at (the resolved value when <c>auto</c> was asked for).</summary>
    public double DownsampleRatio { get; }

    /// <summary>Foreground RGB in 0..1, planar: R plane, G plane, B plane, each <c>Height x Width</c>.</summary>
    public ReadOnlySpan<float> Foreground { get; }

    /// <summary>Alpha in 0..1, <c>Height x Width</c>.</summary>
    public ReadOnlySpan<float> Alpha { get; }

    /// <summary>Writes the foreground as interleaved 8-bit RGB (rounded).</summary>
    public void ForegroundToRgb24(Span<byte> destination) => UnitToBytes.Rgb24(Foreground, Width * Height, destination);

    public void AlphaToGray8(Span<byte> destination) => UnitToBytes.Gray8(Alpha, destination);

}
