namespace MatteKit.Media;

/// <summary>An 8-bit straight-alpha RGBA image: R, G, B, A interleaved (<c>Width * Height * 4</c> bytes).</summary>
internal sealed class RgbaImage(int width, int height, byte[] pixels) : PixelImage(width, height, pixels, 4, "an RGBA");
