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
    public static void Check(ConvertOptions options)
    {
        var inputs = new List<(string Role, string Path)>();
        foreach (var file in FilesRead(options.Input)) inputs.Add(("the input", file));
        if (File.Exists(options.Background)) inputs.Add(("the --background", options.Background));
        if (options.Plate is { } plate && plate.Plate != PlateMode.Auto) inputs.Add(("the --background-plate", plate.Plate));
        if (options.Weights is { } weights) inputs.Add(("the --weights", weights));

        var outputs = new List<(string Option, string Path)>();
        void Add(string option, string? path)
        {
            if (path is not null) outputs.Add((option, path));
        }
        Add("--output-alpha", options.OutputAlpha);
        Add("--output-foreground", options.OutputForeground);
        Add("--output-composition", options.OutputComposition);
        Add("--output-segmentation", options.OutputSegmentation);
        Add("--output-error", options.Plate?.OutputError);
        Add("--output-refined", options.Plate?.OutputRefined);
        Check(inputs, outputs);
    }

    /// <summary>The same check for any command: <paramref name="inputs"/> by role, <paramref name="outputs"/> by option.</summary>
    /// <exception cref="ArgumentException">An output is an input, or two outputs are one file.</exception>
    public static void Check(IReadOnlyList<(string Role, string Path)> inputs, IReadOnlyList<(string Option, string Path)> outputs)
    {
        for (int i = 0; i < outputs.Count; i++)
        {
            var (option, path) = outputs[i];
            foreach (var (role, input) in inputs)
                if (SameFile(path, input))
                    throw new ArgumentException($"{path}: {option} is {role} ({input}); refusing to overwrite an input, write the output elsewhere");
            for (int j = 0; j < i; j++)
                if (SameFile(path, outputs[j].Path))
                    throw new ArgumentException($"{Path.GetFullPath(path)}: {outputs[j].Option} and {option} name the same path; give each output its own");
        }
    }

    /// <summary>
    /// The local files (or folders) an input that ffmpeg or MatteKit opens would read, however it is spelled: a
    /// plain path anywhere (<c>/dev/shm</c>, <c>/proc/self/fd/N</c>), ffmpeg's <c>file:</c>, <c>cache:</c>,
    /// <c>async:</c>, <c>concat:</c>, <c>pipe:N</c> and <c>fd:N</c>, and stdin (<c>-</c>) when it is redirected
    /// from a file. Only character or block devices, sockets and network URLs name nothing an output could replace.
    /// </summary>
    internal static IReadOnlyList<string> FilesRead(string input)
    {
        var found = new List<string>();
        Collect(input, found, depth: 0);
        return found;
    }

    private static void Collect(string spec, List<string> found, int depth)
    {
        if (depth > 8) return; // wrappers nest (cache:async:file:...); deeper than this is not a real input
        if (spec == "-")
        {
            Collect("/proc/self/fd/0", found, depth + 1);
            return;
        }
        foreach (var wrapper in new[] { "file:", "cache:", "async:" })
            if (spec.StartsWith(wrapper, StringComparison.OrdinalIgnoreCase))
            {
                // ffmpeg strips the protocol name and opens the rest: file:///a/b is the path ///a/b, i.e. /a/b.
                Collect(spec[wrapper.Length..], found, depth + 1);
                return;
            }
        if (spec.StartsWith("concat:", StringComparison.OrdinalIgnoreCase))
        {
            foreach (var part in spec["concat:".Length..].Split('|')) Collect(part, found, depth + 1);
            return;
        }
        foreach (var pipe in new[] { "pipe:", "fd:" })
            if (spec.StartsWith(pipe, StringComparison.OrdinalIgnoreCase))
            {
                var number = spec[pipe.Length..];
                Collect($"/proc/self/fd/{(number.Length == 0 ? "0" : number)}", found, depth + 1);
                return;
            }
        if (spec.Contains("://", StringComparison.Ordinal)) return; // a network URL
        if (FileIdentity.Of(spec) is { Kind: not (FileKind.Device or FileKind.Socket) }) found.Add(Path.GetFullPath(spec));
    }

    private static bool SameFile(string a, string b)
        => FileIdentity.Same(a, b) || string.Equals(FileIdentity.Resolve(a), FileIdentity.Resolve(b), StringComparison.Ordinal);
}
