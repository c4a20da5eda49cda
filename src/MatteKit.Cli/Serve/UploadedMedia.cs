using MatteKit.Media.Ffmpeg;

namespace MatteKit.Cli.Serve;

/// <summary>
/// What an uploaded file is, by ffmpeg's own probing, before a job takes it: only containers and pictures that hold
/// their frames themselves. A playlist (HLS), a concat list or any demuxer that opens other files or URLs would let an
/// upload make the server read (and hand back, matted) files of this machine or addresses of its network; ffmpeg probes
/// the same bytes the same way when the job runs, so the demuxer it names here is the one the job uses.
/// </summary>
internal static class UploadedMedia
{
    /// <summary>Demuxers taken (ffprobe's format_name lists several names for one demuxer; each must be here).</summary>
    private static readonly HashSet<string> Demuxers = new(StringComparer.Ordinal)
    {
        "mov", "mp4", "m4a", "3gp", "3g2", "mj2", "matroska", "webm", "avi", "gif", "mpegts", "mpeg", "flv", "asf", "ogg",
        "mxf", "nut", "ivf", "dv", "h264", "hevc", "mjpeg", "yuv4mpegpipe", "apng", "image2", "png_pipe", "jpeg_pipe",
        "webp_pipe", "bmp_pipe", "tiff_pipe",
    };

    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(20);

    /// <exception cref="UsageException">ffmpeg cannot read it, or reads it as a kind of file that names others; <paramref name="part"/> names it.</exception>
    public static void Check(string path, string part, CancellationToken cancel)
    {
        using var process = new FfmpegProcess(FfmpegTools.Ffprobe,
            new[] { "-v", "error", "-show_entries", "format=format_name", "-of", "csv=p=0", "--", FfmpegPath.Input(path) }, writeStdin: false, readStdout: true);
        var answer = new StreamReader(process.StandardOutput).ReadToEndAsync(CancellationToken.None);
        if (!process.WaitForExit(ProbeTimeout, cancel)) throw new UsageException($"{part}: ffprobe found nothing in {ProbeTimeout.TotalSeconds:0} s");
        if (process.WaitForExit() != 0) throw new UsageException($"{part}: not a video or image ffmpeg can read");
        string format = answer.Result.Trim().Split('\n')[0].Trim().Trim('"');
        if (format.Length == 0 || !format.Split(',').All(Demuxers.Contains))
            throw new UsageException($"{part}: a file ffmpeg reads as '{Media.PrintableText.Excerpt(format, 60)}' is not taken (only videos and images that hold their own frames)");
    }
}
