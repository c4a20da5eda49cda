using MatteKit.Inference;
using MatteKit.Media;
using MatteKit.Media.Ffmpeg;

namespace MatteKit.Conversion;

/// <summary>A single PNG image, for a single image input.</summary>
internal sealed class PngFileSink : FrameSink
{
    private readonly OutputFile _file;

    public PngFileSink(string path, PixelLayout layout, bool premultiply) : base(path, layout, premultiply)
    {
        _file = new OutputFile(path);
    }

    protected override void Write(ReadOnlySpan<byte> pixels, FrameSlot frame)
        => PngWriting.Write(_file.WorkingPath, Layout, frame.Width, frame.Height, pixels);

    public override void Commit() => _file.Commit();

    public override void Dispose() => _file.Dispose();
}
