namespace MatteKit.Inference;

/// <summary>
/// Foreground and alpha of T consecutive frames as 8-bit pixels, made by the network itself (rounded half to even,
/// as <see cref="MatteResult.ForegroundToRgb24"/> rounds). Views of buffers reused by the next call.
/// </summary>
internal readonly ref struct MatteBytes
{
    internal MatteBytes(int frames, int width, int height, double ratio, ReadOnlySpan<byte> foregroundRgb24, ReadOnlySpan<byte> alphaGray8)
    {
        Frames = frames;
        Width = width;
        Height = height;
        DownsampleRatio = ratio;
        ForegroundRgb24 = foregroundRgb24;
        AlphaGray8 = alphaGray8;
    }

    public int Frames { get; }
    public int Width { get; }
    public int Height { get; }
    public double DownsampleRatio { get; }

    /// <summary>Interleaved RGB, frame after frame.</summary>
    public ReadOnlySpan<byte> ForegroundRgb24 { get; }

    /// <summary>One byte per pixel, frame after frame.</summary>
    public ReadOnlySpan<byte> AlphaGray8 { get; }
}
