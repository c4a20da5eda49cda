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
        if (!FrameSource.IsStream(options.Input)) inputs.Add(("the input", options.Input));
        if (File.Exists(options.Background)) inputs.Add(("the --background", options.Background));
        if (options.Plate is { } plate && plate.Plate != PlateSettings.Auto) inputs.Add(("the --background-plate", plate.Plate));
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

    private static bool SameFile(string a, string b)
        => FileIdentity.Same(a, b) || string.Equals(FileIdentity.Resolve(a), FileIdentity.Resolve(b), StringComparison.Ordinal);
}
