namespace MatteKit.Media.Ffmpeg;

/// <summary>How raw frame bytes are laid out: 8-bit grey, RGB or straight-alpha RGBA, interleaved, no row padding.</summary>
internal enum PixelLayout
{
    Gray8,
    Rgb24,
    Rgba32,
}
