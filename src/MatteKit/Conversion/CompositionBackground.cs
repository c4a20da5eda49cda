using MatteKit.Compositing;
using MatteKit.Inference;
using MatteKit.Media;
using MatteKit.Media.Ffmpeg;

namespace MatteKit.Conversion;

/// <summary>
/// What the composition is laid over: a colour, nothing (transparent RGBA), the frame itself blurred
/// (<c>blur[:SIGMA]</c>), an image scaled to cover the frame and centre-cropped, or a video resized the same way and
/// looped or cut to the input's length (decoded by an ffmpeg child alongside the input, one frame per input frame).
/// </summary>
internal sealed class CompositionBackground : IDisposable
{
    private readonly string? _file;
    private readonly bool _isVideo;

    /// <summary>A video background: one of its frames per input frame, from its first.</summary>
    internal bool IsVideo => _isVideo;
    private readonly RgbColor _color;
    private readonly VideoColor? _fileColor;
    private readonly long _maxPixels;
    private readonly TimeSpan _readTimeout;
    private readonly CancellationToken _cancel;
    private readonly BackgroundBlur? _blur;
    private readonly RgbImage? _still; // a picture given as pixels (the preview page's upload), covered to each frame size
    private VideoDecoder? _decoder;
    private byte[] _picture = Array.Empty<byte>();
    private (int Width, int Height) _size;

    private CompositionBackground(string text, bool transparent, RgbColor color, string? file = null, bool isVideo = false, VideoColor? fileColor = null,
        long maxPixels = ConvertLimits.DefaultMaxPixels, TimeSpan? readTimeout = null, CancellationToken cancel = default, double? blurSigma = null, RgbImage? still = null)
    {
        _still = still;
        Text = text;
        Transparent = transparent;
        _color = color;
        _file = file;
        _isVideo = isVideo;
        _fileColor = fileColor;
        _maxPixels = maxPixels;
        _readTimeout = readTimeout ?? ConvertLimits.DefaultReadTimeout;
        _cancel = cancel;
        _blur = blurSigma is { } sigma ? new BackgroundBlur(sigma) : null;
    }

    public bool Transparent { get; }

    /// <summary>The background as it was given.</summary>
    public string Text { get; }

    /// <summary>
    /// Opens <paramref name="background"/>; a file is probed now (with the input's timeout and pixel limit), so that a
    /// wrong background fails before any weights are loaded.
    /// </summary>
    /// <exception cref="ArgumentException">A file that does not exist.</exception>
    public static CompositionBackground Open(Background background, long maxPixels = ConvertLimits.DefaultMaxPixels, TimeSpan? readTimeout = null,
        CancellationToken cancel = default)
    {
        string text = background.Text;
        if (background.IsTransparent) return new(text, true, default);
        if (background.Color is { } color) return new(text, false, color);
        if (background.BlurSigma is { } sigma) return new(text, false, default, blurSigma: sigma);
        string path = background.FilePath ?? throw new InvalidOperationException($"background '{text}' is transparent, a colour, a blur or a file");
        if (File.Exists(path))
        {
            bool image = FrameSource.IsImage(path);
            // A still is read whole: a FIFO or a device (/dev/zero linked as .png) is no image. A video background
            // may be a FIFO: ffmpeg reads it as a stream, with the read timeout.
            if (image) InputFile.RequireRegular(path, "a background image");
            var info = MediaProbe.Probe(path, readTimeout, cancel);
            PixelLimit.Check(path, info.DisplaySize.Width, info.DisplaySize.Height, maxPixels);
            return new(text, false, default, path, !image, image ? null : info.Color, maxPixels, readTimeout, cancel);
        }
        throw new ArgumentException($"background '{text}' is not {Background.Choices}");
    }

    /// <summary>What <see cref="ParseSetting"/> takes, for messages.</summary>
    public const string SettingChoices = "green, black, white, #RRGGBB, transparent or blur[:SIGMA]";

    /// <summary>
    /// A background named by a setting alone, never a file: for text from a less trusted side than the command line
    /// (the preview page), which must neither read nor learn of files on this machine.
    /// </summary>
    /// <exception cref="ArgumentException">Not one of <see cref="SettingChoices"/>; the message is the same whether or not a file of that name exists.</exception>
    public static CompositionBackground ParseSetting(string text)
    {
        var background = text.Length == 0 ? null : Background.Parse(text);
        if (background?.FilePath is not null || background is null)
            throw new ArgumentException($"background '{text}' is not {SettingChoices} (an image comes as an upload, never as a path)");
        return Open(background);
    }

    /// <summary>A still picture already decoded, scaled to cover each frame and centre-cropped; <paramref name="text"/> names it in stats.</summary>
    public static CompositionBackground FromPicture(RgbImage picture, string text) => new(text, false, default, still: picture);

    /// <summary>Composites one frame: RGB over the background, or RGBA when transparent.</summary>
    public void Compose(FrameSlot frame, Span<byte> destination)
    {
        int pixels = frame.Pixels;
        var fgr = frame.Foreground.AsSpan(0, pixels * 3);
        var alpha = frame.Alpha.AsSpan(0, pixels);
        if (Transparent)
            Compositor.ToRgba(fgr, alpha, destination);
        else if (Picture(frame) is { IsEmpty: false } picture)
            Compositor.OverImage(fgr, alpha, picture, destination);
        else
            Compositor.OverColor(fgr, alpha, _color, destination);
    }

    /// <summary>
    /// The composition of a deep output, unrounded: RGB over the background from the unrounded foreground and alpha
    /// (<paramref name="foregroundRgb"/>, <paramref name="alpha"/>, 0..1). Not for a transparent background (that is
    /// the foreground with its alpha).
    /// </summary>
    public void ComposeDeep(FrameSlot frame, ReadOnlySpan<float> foregroundRgb, ReadOnlySpan<float> alpha, Span<float> destinationRgb)
    {
        if (Transparent) throw new InvalidOperationException("a transparent composition is the foreground with its alpha");
        Compositor.OverDeep(foregroundRgb, alpha, Picture(frame), _color, destinationRgb);
    }

    /// <summary>The background's pixels for this frame (RGB, the frame's size); empty for a colour.</summary>
    private ReadOnlySpan<byte> Picture(FrameSlot frame)
    {
        if (_blur is { } blur) return Blurred(blur, frame);
        if (_still is { } still) return CoveredStill(still, frame.Width, frame.Height);
        if (_file is { } file) return NextPicture(file, frame.Width, frame.Height);
        return default;
    }

    private ReadOnlySpan<byte> Blurred(BackgroundBlur blur, FrameSlot frame)
    {
        int bytes = frame.Pixels * 3;
        if (_picture.Length < bytes) _picture = new byte[bytes];
        blur.Apply(frame.Rgb.AsSpan(0, bytes), frame.Width, frame.Height, _picture);
        return _picture.AsSpan(0, bytes);
    }

    private ReadOnlySpan<byte> CoveredStill(RgbImage still, int width, int height)
    {
        if (_size != (width, height))
        {
            _picture = BilinearResize.Cover(still, width, height).Pixels;
            _size = (width, height);
        }
        return _picture.AsSpan(0, width * height * 3);
    }

    private ReadOnlySpan<byte> NextPicture(string file, int width, int height)
    {
        if (_size != (width, height) || _decoder is null && _isVideo)
        {
            _decoder?.Dispose();
            _decoder = null;
            _size = (width, height);
            var decoder = VideoDecoder.Open(file, filter: PictureReader.CoverFilter(width, height), loop: _isVideo, maxFrames: _isVideo ? 0 : 1,
                color: _fileColor, maxPixels: _maxPixels, readTimeout: _readTimeout, cancel: _cancel);
            if (_isVideo)
            {
                _decoder = decoder;
            }
            else
            {
                using (decoder) ReadFrom(decoder, file, width, height);
                return _picture.AsSpan(0, width * height * 3);
            }
        }
        if (_isVideo) ReadFrom(_decoder ?? throw new InvalidOperationException("a video background's decoder is opened above"), file, width, height);
        return _picture.AsSpan(0, width * height * 3);
    }

    private void ReadFrom(VideoDecoder decoder, string file, int width, int height)
    {
        if (!decoder.ReadFrame(ref _picture, out int w, out int h))
            throw new MediaFormatException(file, "background holds no frames");
        if ((w, h) != (width, height))
            throw new MediaFormatException(file, $"background came out {w}x{h}, expected {width}x{height}");
    }

    public void Abort() => _decoder?.Abort();

    public void Dispose() => _decoder?.Dispose();
}
