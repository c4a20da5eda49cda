using MatteKit.Media;

namespace MatteKit.Conversion;

/// <summary>
/// Refuses a conversion whose outputs would replace one of its inputs or each other. Paths are compared as the
/// files they name, not as text: symbolic links are followed, <c>..</c> is resolved, and two names of one file
/// (hard links) are caught by device and inode.
/// </summary>
internal static class PathCollisions
{
    /// <exception cref="ArgumentException">An output is an input, or two outputs are one file.</exception>
    public static void Check(ConvertOptions options) => Check(Inputs(options), Outputs(options));

    /// <summary>What a conversion with <paramref name="options"/> reads, by role: every file its input names, the background image, plate and weights.</summary>
    internal static List<(string Role, string Path)> Inputs(ConvertOptions options)
    {
        var inputs = Inputs(options.Input, options.Background, options.Matting, options.Subject);
        if (options.Plate is { } plate && plate.Plate != PlateMode.Auto) inputs.Add(("the Plate", plate.Plate));
        return inputs;
    }

    /// <summary>What convert and live both read, by role: every file the input names, the background's file, the weights and the subject's mask.</summary>
    internal static List<(string Role, string Path)> Inputs(string input, Background background, MattingSettings matting, SubjectChoice? subject)
    {
        var inputs = new List<(string Role, string Path)>();
        foreach (var file in FilesRead(input)) inputs.Add(("the input", file));
        if (background.FilePath is { } picture && File.Exists(picture)) inputs.Add(("the Background", picture));
        if (matting.Weights is { } weights) inputs.Add(("the Weights", weights));
        if (subject?.MaskPath is { } mask) inputs.Add(("the SubjectMask", mask));
        return inputs;
    }

    /// <summary>What a conversion with <paramref name="options"/> writes, by option.</summary>
    internal static List<(string Option, string Path)> Outputs(ConvertOptions options)
    {
        var outputs = new List<(string Option, string Path)>();
        void Add(string option, string? path)
        {
            if (path is not null) outputs.Add((option, path));
        }
        Add("OutputAlpha", options.OutputAlpha);
        Add("OutputForeground", options.OutputForeground);
        Add("OutputComposition", options.OutputComposition);
        Add("OutputSegmentation", options.OutputSegmentation);
        Add("OutputError", options.Plate?.OutputError);
        Add("OutputRefined", options.Plate?.OutputRefined);
        return outputs;
    }

    /// <summary>
    /// One more file written beside a conversion's own outputs (a plan), checked against its inputs and outputs;
    /// these among themselves are <see cref="Check(ConvertOptions)"/>'s.
    /// </summary>
    /// <exception cref="ArgumentException">The file is an input or an output of the conversion.</exception>
    public static void CheckAnother(ConvertOptions options, string option, string path)
    {
        foreach (var (role, input) in Inputs(options))
            if (SameFile(path, input)) throw OverwritesInput(path, option, role, input);
        foreach (var (otherOption, output) in Outputs(options))
            if (SameFile(path, output)) throw SamePath(path, otherOption, option);
    }

    /// <summary>The same check for any command: <paramref name="inputs"/> by role, <paramref name="outputs"/> by option.</summary>
    /// <exception cref="ArgumentException">An output is an input, or two outputs are one file.</exception>
    public static void Check(IReadOnlyList<(string Role, string Path)> inputs, IReadOnlyList<(string Option, string Path)> outputs)
    {
        for (int i = 0; i < outputs.Count; i++)
        {
            var (option, path) = outputs[i];
            foreach (var (role, input) in inputs)
                if (SameFile(path, input)) throw OverwritesInput(path, option, role, input);
            for (int j = 0; j < i; j++)
                if (SameFile(path, outputs[j].Path)) throw SamePath(path, outputs[j].Option, option);
        }
    }

    private static ArgumentException OverwritesInput(string path, string option, string role, string input)
        => new($"{path}: {option} is {role} ({input}); refusing to overwrite an input, write the output elsewhere");

    private static ArgumentException SamePath(string path, string firstOption, string secondOption)
        => new($"{Path.GetFullPath(path)}: {firstOption} and {secondOption} name the same path; give each output its own");

    /// <summary>
    /// The local files (or folders) an input that ffmpeg or MatteKit opens would read, however it is spelled: a
    /// plain path anywhere (<c>/dev/shm</c>, <c>/proc/self/fd/N</c>), ffmpeg's <c>file:</c>, <c>cache:</c>,
    /// <c>async:</c>, <c>concat:</c>, <c>subfile</c>, <c>pipe:N</c> and <c>fd:N</c>, and stdin (<c>-</c>) when it
    /// is redirected from a file. Only character or block devices, sockets and network URLs name nothing an output
    /// could replace.
    /// </summary>
    /// <exception cref="ArgumentException">An ffmpeg protocol that is neither a network one nor one of those above
    /// (its files could not be told apart from the outputs).</exception>
    internal static IReadOnlyList<string> FilesRead(string input)
    {
        var found = new List<string>();
        Collect(input, input, found, depth: 0);
        return found;
    }

    // ffmpeg's protocols that reach over the network (or a socket): nothing local for an output to replace.
    private static readonly HashSet<string> NetworkProtocols = new(StringComparer.OrdinalIgnoreCase)
    {
        "http", "https", "udp", "udplite", "rtp", "srt", "srtp", "tcp", "tls", "rtmp", "rtmps", "rtmpt", "rtmpts", "rtmpe",
        "rtmpte", "rtsp", "rtsps", "ftp", "sftp", "mmsh", "mmst", "gopher", "gophers", "icecast", "zmq", "unix", "rist",
        "ipfs", "ipns", "data",
    };

    private static void Collect(string spec, string input, List<string> found, int depth)
    {
        if (depth > 8) throw new ArgumentException($"{input}: protocols nested more than 8 deep; give the file or URL itself");
        if (spec == "-")
        {
            Collect("/proc/self/fd/0", input, found, depth + 1);
            return;
        }
        // ffmpeg's rule (FfmpegPath.ProtocolPrefix), and "subfile," names one too; anything else is a path for its
        // file protocol. A name that exists here ("take:2.png") is read as the file it is, and checked as one.
        bool subfile = spec.StartsWith("subfile,", StringComparison.OrdinalIgnoreCase);
        string? prefix = Media.Ffmpeg.FfmpegPath.ProtocolPrefix(spec);
        var there = FileIdentity.Of(spec);
        if ((prefix is null && !subfile) || there is not null)
        {
            if (there is { Kind: not (FileKind.Device or FileKind.Socket) }) found.Add(Path.GetFullPath(spec));
            return;
        }
        string protocol = subfile ? "subfile" : prefix!.ToLowerInvariant();
        string rest = subfile ? "" : spec[(prefix!.Length + 1)..];
        switch (protocol)
        {
            case "file" or "cache" or "async":
                // ffmpeg strips the protocol name and opens the rest: file:///a/b is the path ///a/b, i.e. /a/b.
                Collect(rest, input, found, depth + 1);
                return;
            case "concat":
                foreach (var part in rest.Split('|')) Collect(part, input, found, depth + 1);
                return;
            case "subfile":
                // subfile,,start,S,end,E,,:URL
                int inner = spec.IndexOf(",,:", StringComparison.Ordinal);
                if (inner < 0) throw new ArgumentException($"{input}: a subfile input without its ',,:' before the file");
                Collect(spec[(inner + 3)..], input, found, depth + 1);
                return;
            case "pipe" or "fd":
                Collect($"/proc/self/fd/{(rest.Length == 0 ? "0" : rest)}", input, found, depth + 1);
                return;
            default:
                if (NetworkProtocols.Contains(protocol)) return;
                throw new ArgumentException($"{input}: ffmpeg protocol '{protocol}:' is not taken as an input here; give a file, a folder, " +
                    "a device, - (stdin), a network URL (http, https, udp, rtp, srt, tcp, rtmp, rtsp, ...) or file:, concat:, subfile, cache:, async:, pipe:, fd:");
        }
    }

    private static bool SameFile(string a, string b)
        => FileIdentity.Same(a, b) || string.Equals(FileIdentity.Resolve(a), FileIdentity.Resolve(b), StringComparison.Ordinal);
}
