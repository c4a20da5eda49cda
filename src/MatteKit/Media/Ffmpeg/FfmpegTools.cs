namespace MatteKit.Media.Ffmpeg;

/// <summary>
/// Finds the <c>ffmpeg</c> and <c>ffprobe</c> executables on PATH. They are the only system dependency
/// (Debian package <c>ffmpeg</c>); without them video input and output cannot work, so the error says how to
/// install them instead of surfacing a process-start failure.
/// </summary>
internal static class FfmpegTools
{
    public static string Ffmpeg => Find("ffmpeg");

    public static string Ffprobe => Find("ffprobe");

    public static bool Available => TryFind("ffmpeg") is not null && TryFind("ffprobe") is not null;

    /// <summary>The version ffmpeg reports (<c>ffmpeg -version</c>, e.g. <c>5.1.8-0+deb12u1</c>), or why it cannot.</summary>
    public static string Version()
    {
        if (TryFind("ffmpeg") is not { } ffmpeg) return "not found on PATH (Debian/Ubuntu: apt-get install ffmpeg)";
        using var process = new FfmpegProcess(ffmpeg, new[] { "-hide_banner", "-version" }, writeStdin: false, readStdout: true);
        var first = new StreamReader(process.StandardOutput).ReadToEnd().Split('\n')[0].Trim();
        process.WaitForExit();
        const string prefix = "ffmpeg version ";
        if (!first.StartsWith(prefix, StringComparison.Ordinal)) return first;
        var rest = first[prefix.Length..];
        int space = rest.IndexOf(' ');
        return space > 0 ? rest[..space] : rest;
    }

    /// <summary>Kills every ffmpeg and ffprobe child this process has running (for an exit that cannot wait).</summary>
    public static void KillRunning() => FfmpegProcess.KillAll();

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
