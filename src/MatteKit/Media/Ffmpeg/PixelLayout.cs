namespace MatteKit.Media.Ffmpeg;

/// <summary>
/// How raw frame bytes are laid out: grey, RGB or straight-alpha RGBA, interleaved, no row padding; 8 bits a sample, or
/// 16 (little-endian, as ffmpeg's raw video takes them) for deep outputs.
/// </summary>
internal enum PixelLayout
{
    Gray8,
    Rgb24,
    Rgba32,
    Gray16,
    Rgb48,
    Rgba64,
}
