namespace MatteKit.Media;

/// <summary>
/// An 8-bit image: <see cref="Pixels"/> holds <c>Width * Height * Channels</c> bytes, channels interleaved,
/// row-major from the top-left pixel, with no padding between rows.
/// </summary>
internal abstract class PixelImage
{
    private protected PixelImage(int width, int height, byte[] pixels, int channels, string kind)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        long expected = (long)width * height * channels;
        if (pixels.LongLength != expected)
            throw new ArgumentException($"{kind} image of {width}x{height} needs {expected} bytes, got {pixels.LongLength}", nameof(pixels));
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>Interleaved, row-major, no padding.</summary>
    public byte[] Pixels { get; }

    public void Deconstruct(out int width, out int height, out byte[] pixels) => (width, height, pixels) = (Width, Height, Pixels);
}
