using System.Globalization;

namespace MatteKit.Media.Ffmpeg;

/// <summary>
/// The video containers MatteKit writes, chosen by file extension, with the codec each implies: .mp4/.m4v/.mkv
/// H.264, .webm VP9, .mov ProRes, .gif animated GIF. Alpha (straight RGBA in) survives in VP9 (yuva420p),
/// ProRes 4444 (yuva444p10le) and GIF (one transparent palette entry).
/// </summary>
internal sealed class VideoContainer
{
    /// <summary>x264's speed presets, fastest first: each slower one compresses better at the same quality.</summary>
    public static readonly IReadOnlyList<string> H264Presets =
        new[] { "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow" };

    private static readonly VideoContainer[] All =
    {
        new("mp4", "mp4", new[] { ".mp4", ".m4v" }, alpha: false, audioCopy: new[] { "aac", "mp3", "alac", "ac3", "eac3" }, audioEncoder: "aac"),
        new("matroska", "mkv", new[] { ".mkv" }, alpha: false, audioCopy: null, audioEncoder: "aac"),
        new("webm", "webm", new[] { ".webm" }, alpha: true, audioCopy: new[] { "opus", "vorbis" }, audioEncoder: "libopus"),
        new("mov", "mov", new[] { ".mov" }, alpha: true, audioCopy: new[] { "aac", "mp3", "alac", "ac3", "eac3", "pcm_s16le", "pcm_s24le" }, audioEncoder: "aac"),
        new("gif", "gif", new[] { ".gif" }, alpha: true, audioCopy: Array.Empty<string>(), audioEncoder: null),
    };

    private readonly string[]? _audioCopy;
    private readonly string? _audioEncoder;

    private VideoContainer(string muxer, string name, string[] extensions, bool alpha, string[]? audioCopy, string? audioEncoder)
    {
        Muxer = muxer;
        Name = name;
        Extensions = extensions;
        SupportsAlpha = alpha;
        _audioCopy = audioCopy;
        _audioEncoder = audioEncoder;
    }

    public string Muxer { get; }
    public string Name { get; }
    public IReadOnlyList<string> Extensions { get; }
    public bool SupportsAlpha { get; }
    public bool SupportsAudio => _audioEncoder is not null;

    public static string KnownExtensions => string.Join(", ", All.SelectMany(c => c.Extensions));

    public static VideoContainer? ForPath(string path)
    {
        var ext = Path.GetExtension(path);
        return All.FirstOrDefault(c => c.Extensions.Contains(ext, StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>ffmpeg output arguments: codec, pixel format and quality for the video, then the audio handling.</summary>
    internal IEnumerable<string> CodecArguments(VideoEncoding e)
    {
        bool alpha = e.Layout.HasAlpha();
        bool even = e.Width % 2 == 0 && e.Height % 2 == 0;
        var args = new List<string>();
        if (Name != "gif")
        {
            // swscale's default is BT.601 whatever the size; convert with the input's own matrix and range and tag
            // the stream, so that players decode it as they decode the input.
            var color = e.Color ?? VideoColor.ForSize(e.Width, e.Height);
            args.AddRange(new[] { "-vf", Name == "mov" ? color.EncodeFilterTaggingFrames : color.EncodeFilter });
            args.AddRange(color.TagArguments());
        }
        switch (Name)
        {
            case "mp4" or "mkv":
                // 4:2:0 needs even sizes; odd sizes keep every pixel in 4:4:4 rather than being cropped or padded.
                // veryfast: on a small CPU every output's encoder competes with inference for the cores.
                args.AddRange(new[] { "-c:v", "libx264", "-preset", e.H264Preset ?? "veryfast", "-pix_fmt", even ? "yuv420p" : "yuv444p" });
                args.AddRange(Quality(e, defaultCrf: 18, crfNeedsZeroBitrate: false));
                break;
            case "webm":
                args.AddRange(new[] { "-c:v", "libvpx-vp9", "-pix_fmt", alpha ? "yuva420p" : "yuv420p",
                    "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1" });
                args.AddRange(Quality(e, defaultCrf: 30, crfNeedsZeroBitrate: true));
                break;
            case "mov":
                // ProRes has fixed-quality profiles: 3 = 422 HQ, 4 = 4444 (the one that carries alpha, at 16 bits: its
                // deepest). 16-bit input goes to 4444 too, colour at 4:4:4; ffmpeg's encoder takes 10-bit samples.
                args.AddRange(alpha
                    ? new[] { "-c:v", "prores_ks", "-profile:v", "4", "-pix_fmt", "yuva444p10le", "-alpha_bits", "16" }
                    : e.Layout.IsDeep()
                        ? new[] { "-c:v", "prores_ks", "-profile:v", "4", "-pix_fmt", "yuv444p10le" }
                        : new[] { "-c:v", "prores_ks", "-profile:v", "3", "-pix_fmt", "yuv422p10le" });
                break;
            case "gif":
                // One palette per frame keeps the filter streaming (a global palette would hold every frame in memory).
                args.AddRange(new[] { "-filter_complex",
                    alpha
                        ? "[0:v]split[a][b];[a]palettegen=stats_mode=single:reserve_transparent=1[p];[b][p]paletteuse=new=1:alpha_threshold=128"
                        : "[0:v]split[a][b];[a]palettegen=stats_mode=single:reserve_transparent=0[p];[b][p]paletteuse=new=1",
                    "-c:v", "gif" });
                break;
        }
        if (e.AudioSource is not null && SupportsAudio) args.AddRange(AudioArguments(e.AudioCodec));
        return args;
    }

    /// <summary>The input's audio copied where this container takes its codec, re-encoded otherwise.</summary>
    public IEnumerable<string> AudioArguments(string? inputCodec)
    {
        bool copy = _audioCopy is null || (inputCodec is not null && _audioCopy.Contains(inputCodec));
        return new[] { "-c:a", copy ? "copy" : _audioEncoder ?? throw new InvalidOperationException($"{Name} holds no audio; callers ask SupportsAudio first") };
    }

    /// <summary>The bit rate, or the constant rate factor (<paramref name="defaultCrf"/> when none is given).</summary>
    internal static IEnumerable<string> Quality(VideoEncoding e, int defaultCrf, bool crfNeedsZeroBitrate)
    {
        if (e.Mbps is { } mbps)
            return new[] { "-b:v", (mbps * 1_000_000).ToString("0", CultureInfo.InvariantCulture) };
        var crf = (e.Crf ?? defaultCrf).ToString(CultureInfo.InvariantCulture);
        return crfNeedsZeroBitrate ? new[] { "-crf", crf, "-b:v", "0" } : new[] { "-crf", crf };
    }
}
