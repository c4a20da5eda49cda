using MatteKit.Media;
using MatteKit.Media.Ffmpeg;

namespace MatteKit.Conversion;

/// <summary>Frames of a video file, stdin, a URL or a device, decoded by an ffmpeg child process.</summary>
internal sealed class VideoFrameSource : FrameSource
{
    private readonly VideoDecoder _decoder;
    private readonly FrameRate? _probedRate;
    private int _index;

    private VideoFrameSource(VideoDecoder decoder, FrameRate? probedRate)
    {
        _decoder = decoder;
        _probedRate = probedRate;
    }

    public override FrameRate FrameRate => _probedRate ?? _decoder.StreamFrameRate ?? FrameRate.Default;

    public static VideoFrameSource OpenFile(string path, double? start, double? duration, string? filter, bool keepAudio)
    {
        var info = MediaProbe.Probe(path);
        double available = Math.Max(0, info.DurationSeconds - (start ?? 0));
        double span = duration is { } d ? Math.Min(d, available) : available;
        long estimate = start is null && duration is null ? info.FrameCount : (long)Math.Round(span * info.FrameRate.PerSecond);
        return new VideoFrameSource(VideoDecoder.Open(path, start, duration, filter), info.FrameRate)
        {
            Name = path,
            FrameCountEstimate = (int)Math.Clamp(estimate, 0, int.MaxValue),
            AudioPath = keepAudio && info.HasAudio ? path : null,
            AudioCodec = info.AudioCodec,
        };
    }

    /// <summary>Stdin, URLs and devices: nothing is probed beforehand (a second read of stdin is impossible).</summary>
    public static VideoFrameSource OpenStream(string input, double? start, double? duration, string? filter)
        => new(VideoDecoder.Open(input, start, duration, filter), null) { Name = input };

    public override bool Read(FrameSlot slot)
    {
        if (!_decoder.ReadFrame(ref slot.Rgb, out slot.Width, out slot.Height)) return false;
        slot.Index = _index++;
        slot.SourceName = null;
        return true;
    }

    public override void Abort() => _decoder.Abort();

    public override void Dispose() => _decoder.Dispose();
}
