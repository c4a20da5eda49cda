namespace MatteKit.Media;

/// <summary>An 8-bit RGB image: R, G, B interleaved (<c>Width * Height * 3</c> bytes).</summary>
internal sealed class RgbImage(int width, int height, byte[] pixels) : PixelImage(width, height, pixels, 3, "an RGB");
