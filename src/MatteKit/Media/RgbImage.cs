namespace MatteKit.Media;

/// <summary>
/// An 8-bit RGB image: <see cref="Pixels"/> holds <c>Width * Height * 3</c> bytes, interleaved R, G, B,
/// row-major from the top-left pixel, with no padding between rows.
/// </summary>
public sealed class RgbImage
{
    public RgbImage(int width, int height, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        long expected = (long)width * height * 3;
        if (pixels.LongLength != expected)
            throw new ArgumentException(
                $"an RGB image of {width}x{height} needs {expected} bytes, got {pixels.LongLength}", nameof(pixels));
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>RGB24 interleaved, row-major, no padding.</summary>
    public byte[] Pixels { get; }
}
