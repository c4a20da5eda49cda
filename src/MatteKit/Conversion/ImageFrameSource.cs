using MatteKit.Inference;
using MatteKit.Media;
using MatteKit.Media.Ffmpeg;

namespace MatteKit.Conversion;

/// <summary>
/// Image files read as the frames of one clip. PNGs are read by MatteKit's own decoder (exact, no ffmpeg
/// needed); other formats, and any image when a resize is asked for, go through ffmpeg.
/// </summary>
internal sealed class ImageFrameSource : FrameSource
{
    private readonly IReadOnlyList<string> _files;
    private readonly (int Width, int Height)? _resize;
    private readonly long _maxPixels;
    private readonly TimeSpan _readTimeout;
    private readonly CancellationToken _cancel;
    private int _next;

    public ImageFrameSource(IReadOnlyList<string> files, ConvertOptions options, CancellationToken cancel)
    {
        _files = files;
        _resize = options.InputResize;
        _maxPixels = options.Matting.MaxPixels;
        _readTimeout = options.ReadTimeout;
        _cancel = cancel;
        FrameCountEstimate = files.Count;
        IsSingleImage = files.Count == 1 && !Directory.Exists(files[0]);
    }

    public override bool Read(FrameSlot slot)
    {
        if (_next >= _files.Count) return false;
        var file = _files[_next];
        // A PNG that is not a plain file (a FIFO) goes through ffmpeg, whose reads time out when nothing comes.
        if (_resize is null && IsPng(file) && FileIdentity.Of(file) is { Kind: FileKind.Regular })
        {
            var image = PngFile.ReadRgb(file, _maxPixels);
            int size = image.Pixels.Length;
            if (slot.Rgb.Length < size) slot.Rgb = new byte[size];
            image.Pixels.CopyTo(slot.Rgb, 0);
            (slot.Width, slot.Height) = (image.Width, image.Height);
        }
        else
        {
            string? filter = _resize is { } r ? $"scale={r.Width}:{r.Height}" : null;
            using var decoder = VideoDecoder.Open(file, filter: filter, maxFrames: 1, maxPixels: _maxPixels, readTimeout: _readTimeout, cancel: _cancel);
            if (!decoder.ReadFrame(ref slot.Rgb, out slot.Width, out slot.Height))
                throw new MediaFormatException(file, "holds no image");
        }
        slot.Index = _next++;
        slot.SourceName = Path.GetFileName(file);
        return true;
    }
}
