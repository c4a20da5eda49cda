namespace MatteKit.Media;

/// <summary>
/// An image of 8-bit straight-alpha RGBA: <see cref="Pixels"/> holds <c>Width * Height * 4</c> bytes, interleaved, row-major from the
/// top-left pixel, with no padding between rows.
/// </summary>
public sealed class RgbaImage
{
    public RgbaImage(int width, int height, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        long expected = (long)width * height * 4;
        if (pixels.LongLength != expected)
            throw new ArgumentException($"an RGBA image of {width}x{height} needs {expected} bytes, got {pixels.LongLength}", nameof(pixels));
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    public int Width { get; }
    public int Height { get; }
    public byte[] Pixels { get; }

    public void Deconstruct(out int width, out int height, out byte[] pixels) => (width, height, pixels) = (Width, Height, Pixels);
}
