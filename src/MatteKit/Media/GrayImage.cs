namespace MatteKit.Media;

/// <summary>An 8-bit single-channel image (<c>Width * Height</c> bytes), e.g. an alpha matte.</summary>
internal sealed class GrayImage(int width, int height, byte[] pixels) : PixelImage(width, height, pixels, 1, "a grey");
