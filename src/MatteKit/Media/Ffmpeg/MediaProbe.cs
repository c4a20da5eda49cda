using System.Globalization;
using System.Text.Json;

namespace MatteKit.Media.Ffmpeg;

/// <summary>Runs ffprobe on an input and reads its JSON answer.</summary>
internal static class MediaProbe
{
    /// <exception cref="MediaFormatException">ffprobe cannot read the input, it has no video stream, or it did not answer within <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> was signalled (ffprobe is killed).</exception>
    public static MediaInfo Probe(string input, TimeSpan? timeout = null, CancellationToken cancel = default)
    {
        using var process = new FfmpegProcess(FfmpegTools.Ffprobe,
            new[] { "-v", "error", "-show_streams", "-show_format", "-of", "json", "--", FfmpegPath.Input(input) }, writeStdin: false, readStdout: true);
        var json = new StreamReader(process.StandardOutput).ReadToEndAsync(CancellationToken.None);
        var limit = timeout ?? VideoDecoder.DefaultReadTimeout;
        if (!process.WaitForExit(limit, cancel))
            throw new MediaFormatException(input, $"sent no answer in {limit.TotalSeconds:0.#} s (a stalled stream, or a FIFO nobody writes to); ReadTimeout sets the limit");
        int code = process.WaitForExit();
        if (code != 0)
            throw new MediaFormatException(input, Unreadable(input, "not a video or image ffmpeg can read", process.LastError()));
        // ffprobe exits 0 on a text file named .png or .jpg (a stream of its codec, 0x0), saying why only on stderr.
        string? complaint = process.StderrLines.LastOrDefault(line => !string.IsNullOrWhiteSpace(line)) is { } last
            ? Describe(FfmpegProcess.WithoutContext(last), input) : null;
        return Parse(input, json.Result, complaint);
    }

    /// <summary>
    /// The video frames a file holds, counted exactly from its packets (no decoding: a few seconds for hours of
    /// video), for inputs whose container does not state the count and for checking written segments.
    /// </summary>
    /// <exception cref="MediaFormatException">ffprobe cannot read it or did not finish within <paramref name="timeout"/>.</exception>
    public static long CountVideoPackets(string input, TimeSpan timeout, CancellationToken cancel = default)
    {
        using var process = new FfmpegProcess(FfmpegTools.Ffprobe,
            new[] { "-v", "error", "-select_streams", "v:0", "-count_packets", "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", "--", FfmpegPath.Input(input) },
            writeStdin: false, readStdout: true);
        var text = new StreamReader(process.StandardOutput).ReadToEndAsync(CancellationToken.None);
        if (!process.WaitForExit(timeout, cancel))
            throw new MediaFormatException(input, $"could not be counted in {timeout.TotalSeconds:0} s");
        if (process.WaitForExit() != 0 || !long.TryParse(text.Result.Trim().Split('\n')[0].Trim(','), NumberStyles.None, CultureInfo.InvariantCulture, out long count))
            throw new MediaFormatException(input, $"its video frames cannot be counted ({process.LastError()})");
        return count;
    }

    /// <summary>The first video stream's facts from ffprobe's JSON answer (<paramref name="json"/>) about <paramref name="input"/>.</summary>
    /// <param name="input">The file, as named in errors.</param>
    /// <param name="json">ffprobe's <c>-show_streams -show_format -of json</c> answer.</param>
    /// <param name="complaint">ffprobe's last line on stderr, said where the stream has no frame size.</param>
    internal static MediaInfo Parse(string input, string json, string? complaint = null)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        JsonElement? video = null;
        string? audioCodec = null;
        if (root.TryGetProperty("streams", out var streams))
            foreach (var s in streams.EnumerateArray())
            {
                var type = Text(s, "codec_type");
                if (type == "video" && video is null && !IsAttachedPicture(s)) video = s;
                else if (type == "audio" && audioCodec is null) audioCodec = Text(s, "codec_name") ?? "unknown";
            }
        if (video is not { } v) throw new MediaFormatException(input, "has no video stream");

        int width = v.TryGetProperty("width", out var w) ? w.GetInt32() : 0;
        int height = v.TryGetProperty("height", out var h) ? h.GetInt32() : 0;
        if (width <= 0 || height <= 0)
            throw new MediaFormatException(input, $"its {Text(v, "codec_name") ?? "video"} stream has no frame size: " +
                                                  (complaint is null ? "damaged, or not what its name says" : $"damaged, or not what its name says (ffprobe: {complaint})"));
        if (!FrameRate.TryParse(Text(v, "r_frame_rate"), out var rate) && !FrameRate.TryParse(Text(v, "avg_frame_rate"), out rate))
            rate = FrameRate.Default;
        double duration = Number(Text(v, "duration")) ?? (root.TryGetProperty("format", out var f) ? Number(Text(f, "duration")) : null) ?? 0;
        long frames = long.TryParse(Text(v, "nb_frames"), NumberStyles.Integer, CultureInfo.InvariantCulture, out long n)
            ? n
            : (long)Math.Round(duration * rate.PerSecond);
        FrameRate? average = FrameRate.TryParse(Text(v, "avg_frame_rate"), out var avg) ? avg : null;
        var color = VideoColor.From(Text(v, "color_space"), Text(v, "color_range"), Text(v, "color_primaries"), Text(v, "color_transfer"),
            Text(v, "pix_fmt"), width, height);
        return new MediaInfo(width, height, rate, frames, duration, Rotation(v), Text(v, "codec_name") ?? "unknown", audioCodec, color, average);
    }

    private static bool IsAttachedPicture(JsonElement stream)
        => stream.TryGetProperty("disposition", out var d) && d.TryGetProperty("attached_pic", out var a) && a.GetInt32() == 1;

    private static int Rotation(JsonElement stream)
    {
        if (stream.TryGetProperty("side_data_list", out var list))
            foreach (var item in list.EnumerateArray())
                if (item.TryGetProperty("rotation", out var r) && r.ValueKind == JsonValueKind.Number)
                    return r.GetInt32();
        if (stream.TryGetProperty("tags", out var tags) && int.TryParse(Text(tags, "rotate"), out int rotate))
            return rotate;
        return 0;
    }

    private static string? Text(JsonElement e, string name)
        => e.TryGetProperty(name, out var p) ? p.ValueKind == JsonValueKind.String ? p.GetString() : p.GetRawText() : null;

    private static double? Number(string? text)
        => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d : null;

    /// <summary>ffmpeg prefixes its messages with the input name; the caller's message names it already.</summary>
    /// <summary>
    /// Why ffmpeg or ffprobe could not read <paramref name="input"/>, as one phrase: <paramref name="what"/> with
    /// ffmpeg's last line, or <see cref="InputFile.EmptyProblem"/> for a file of 0 bytes (ffmpeg's "Invalid data
    /// found when processing input" names no cause).
    /// </summary>
    internal static string Unreadable(string input, string what, string ffmpegLine)
        => InputFile.IsEmpty(input) ? InputFile.EmptyProblem : $"{what} ({Describe(ffmpegLine, input)})";

    internal static string Describe(string ffmpegLine, string input)
    {
        var prefix = input + ": ";
        return ffmpegLine.StartsWith(prefix, StringComparison.Ordinal) ? ffmpegLine[prefix.Length..] : ffmpegLine;
    }
}
