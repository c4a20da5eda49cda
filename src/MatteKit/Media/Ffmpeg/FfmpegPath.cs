namespace MatteKit.Media.Ffmpeg;

/// <summary>
/// How a local file is named on ffmpeg's and ffprobe's command lines. ffmpeg reads a name that starts with letters
/// and a colon as a protocol (<c>file:w.mp4</c> is <c>w.mp4</c>, <c>take:2.png</c> an unknown protocol), while MatteKit
/// checks and opens the file the name means here: with a file literally named <c>file:w.mp4</c> beside <c>w.mp4</c>,
/// the check that no output replaces an input looked at one file and ffmpeg read the other, which the output then
/// replaced. Named as <c>file:</c> and its full path, the file ffmpeg opens is the one that was checked.
/// </summary>
internal static class FfmpegPath
{
    /// <summary>
    /// <paramref name="input"/> as ffmpeg should open it: a file or FIFO that exists here by that name as
    /// <c>file:</c> and its full path; anything else there by that name (a capture device, which its demuxer opens by
    /// its own name, a folder) by its full path, which ffmpeg never reads as a protocol: a folder or a link to
    /// /dev/null named <c>file:y.mp4</c>, handed over as it was, had ffmpeg read y.mp4, which the identity check,
    /// seeing a folder or a device, let an output replace. Nothing there by that name (stdin's <c>-</c>, a URL or
    /// protocol, a screen such as <c>:0.0</c>) as it is, as the identity check reads it too.
    /// </summary>
    public static string Input(string input)
        => input == "-" ? input
            : FileIdentity.Of(input) is { } there ? there.Kind is FileKind.Regular or FileKind.Fifo ? Output(input) : FullPath(input)
            : input;

    /// <summary>A file ffmpeg writes (or a local file it reads whatever its name): <c>file:</c> and its full path.</summary>
    public static string Output(string path) => "file:" + FullPath(path);

    /// <summary>
    /// <paramref name="path"/>'s full path as ffmpeg, a process of its own, must open it: a name of this process's
    /// own files (/dev/stdin, /dev/fd/N, /proc/self/...) by this process's id, for in ffmpeg's they are its own:
    /// <c>convert /dev/stdin &lt; in.mp4</c> had ffmpeg read its stdin, an empty pipe ("Invalid data found").
    /// </summary>
    private static string FullPath(string path)
    {
        string full = Path.GetFullPath(path);
        if (!OperatingSystem.IsLinux()) return full;
        string own = $"/proc/{Environment.ProcessId}";
        foreach (var (name, means) in OwnNames)
        {
            if (full == name) return own + means;
            if (full.StartsWith(name + "/", StringComparison.Ordinal)) return own + means + full[name.Length..];
        }
        return full;
    }

    // Linux's names of the calling process's files, and what they are under /proc/PID.
    private static readonly (string Name, string Means)[] OwnNames =
    {
        ("/dev/stdin", "/fd/0"), ("/dev/stdout", "/fd/1"), ("/dev/stderr", "/fd/2"), ("/dev/fd", "/fd"), ("/proc/self", ""),
    };

    /// <summary>
    /// The protocol ffmpeg would take a name for (<c>file:out.mp4</c> is <c>out.mp4</c> to it, <c>pipe:1</c> its stdout),
    /// by its rule: a run of a scheme's characters followed by a colon, except a drive (<c>C:/x</c>, <c>C:\x</c>). Null
    /// for a plain path. The one rule for what an input names (<c>PathCollisions</c>) and for the names a file to be
    /// written is refused (the path options, live's file outputs): such a file would be written under that literal
    /// name, which ffmpeg, or MatteKit given it back as an input, reads as a protocol.
    /// </summary>
    public static string? ProtocolPrefix(string name)
    {
        int length = name.AsSpan().IndexOfAnyExcept(SchemeCharacters);
        if (length < 1 || name[length] != ':') return null;
        return length == 1 && name.Length > 2 && name[2] is '/' or '\\' ? null : name[..length];
    }

    /// <summary>What a protocol's or a URL scheme's name is made of: letters, digits, +, - and . (ffmpeg's rule, and RFC 3986's).</summary>
    public static readonly System.Buffers.SearchValues<char> SchemeCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.");
}
