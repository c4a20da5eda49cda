namespace MatteKit.Media.Ffmpeg;

/// <summary>
/// Finds the <c>ffmpeg</c> and <c>ffprobe</c> executables on PATH. They are the only system dependency
/// (Debian package <c>ffmpeg</c>); without them video input and output cannot work, so the error says how to
/// install them instead of surfacing a process-start failure.
/// </summary>
public static class FfmpegTools
{
    public static string Ffmpeg => Find("ffmpeg");

    public static string Ffprobe => Find("ffprobe");

    public static bool Available => TryFind("ffmpeg") is not null && TryFind("ffprobe") is not null;

    private static string Find(string tool)
        => TryFind(tool) ?? throw new MediaFormatException(tool,
            "not found on PATH; video input and output need it (Debian/Ubuntu: apt-get install ffmpeg)");

    private static string? TryFind(string tool)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, tool);
            if (File.Exists(candidate)) return candidate;
            if (OperatingSystem.IsWindows() && File.Exists(candidate + ".exe")) return candidate + ".exe";
        }
        return null;
    }
}
