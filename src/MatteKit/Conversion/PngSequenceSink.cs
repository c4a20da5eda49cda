using MatteKit.Inference;
using MatteKit.Media;
using MatteKit.Media.Ffmpeg;

namespace MatteKit.Conversion;

/// <summary>
/// A folder of PNG frames, named after the source images for image inputs and 0000.png, 0001.png, ... for
/// videos (as the official converter does).
/// </summary>
internal sealed class PngSequenceSink : FrameSink
{
    private readonly OutputFolder _folder;
    private readonly FrameFileNames _names = new(".png");

    public PngSequenceSink(string path, PixelLayout layout, bool premultiply) : base(path, layout, premultiply)
    {
        _folder = new OutputFolder(path);
    }

    protected override void Write(ReadOnlySpan<byte> pixels, FrameSlot frame)
    {
        PngWriting.Write(_folder.FilePath(_names.For(frame)), Layout, frame.Width, frame.Height, pixels);
    }

    public override void Commit() => _folder.Commit();

    public override void Dispose() => _folder.Dispose();
}
