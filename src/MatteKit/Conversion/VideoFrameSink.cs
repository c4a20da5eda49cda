using MatteKit.Inference;
using MatteKit.Media.Ffmpeg;

namespace MatteKit.Conversion;

/// <summary>An output video encoded by ffmpeg; every frame must have the first frame's size.</summary>
internal sealed class VideoFrameSink : FrameSink
{
    private readonly VideoEncoder _encoder;
    private readonly int _width;
    private readonly int _height;

    public VideoFrameSink(string path, VideoContainer container, VideoEncoding encoding, bool premultiply) : base(path, encoding.Layout, premultiply)
    {
        _encoder = new VideoEncoder(path, container, encoding);
        (_width, _height) = (encoding.Width, encoding.Height);
    }

    protected override void Write(ReadOnlySpan<byte> pixels, FrameSlot frame)
    {
        if (frame.Width != _width || frame.Height != _height)
            throw new MediaFormatException(frame.SourceName ?? $"frame {frame.Index}",
                $"is {frame.Width}x{frame.Height} but the video {Path} is {_width}x{_height}; a video needs frames of one size");
        _encoder.Write(pixels);
    }

    public override void Finish() => _encoder.Finish();

    public override void Commit() => _encoder.Commit();

    public override void Abort() => _encoder.Abort();

    public override void Dispose() => _encoder.Dispose();
}
