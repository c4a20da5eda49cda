using MatteKit.Datasets;

namespace MatteKit.Cli;

/// <summary><c>mattekit compose-dataset</c>: the command-line face of <see cref="DatasetComposer"/>.</summary>
internal static class ComposeDatasetCommand
{
    public const string Help = """
        Usage: mattekit compose-dataset --foregrounds DIR --backgrounds DIR|FILE --out DIR [options]

        Builds clips with exact ground truth: each cut-out moves (sway, zoom, small rotation) over a background
        (a panning, zooming crop of a still, or a video); alpha, foreground and background are rounded to 8 bits
        first and the composite is made from the stored values. Writes OUT/<clip>/com|pha|fgr|bgr/NNNN.png and
        OUT/<clip>/meta.json. JPEG stills and videos are decoded with ffmpeg (needed on PATH).

        --foregrounds DIR   folders of cut-outs, each with image.jpg (or image.png) and alpha.png
        --backgrounds PATH  a background image or video, or a folder of them (searched recursively; the
                            cut-outs take them in turn). Backgrounds must show no people.
        --out DIR           the dataset folder to create (must not exist or be empty)
        --size WxH          frame size (default 512x288, the paper's low-resolution setting)
        --frames N          frames per clip (default 30)
        --clips N           at most N clips (default: one per cut-out)
        --seed N            motion seed (default 1); the same seed and inputs give the same clips
        --no-background     do not write bgr/
        --quiet
        """;

    private static readonly HashSet<string> ValueOptions = new()
    {
        "--foregrounds", "--backgrounds", "--out", "--size", "--frames", "--clips", "--seed",
    };

    private static readonly HashSet<string> Flags = new() { "--quiet", "--help", "--no-background" };

    public static int Run(string[] args, CancellationToken cancel)
    {
        var cl = CommandLine.ForCommand(args, ValueOptions, Flags, Help);
        if (cl is null) return 0;
        string Required(string name) => cl.Value(name) ?? throw new UsageException($"{name} is required (see mattekit compose-dataset --help)");
        var (width, height) = cl.Size("--size", 16, 8192) ?? (512, 288);
        var options = new ComposeOptions
        {
            Foregrounds = Required("--foregrounds"),
            Backgrounds = Required("--backgrounds"),
            Output = Required("--out"),
            Width = width,
            Height = height,
            Frames = cl.Int("--frames", 30, 1),
            MaxClips = cl.Int("--clips", 0, 1),
            Seed = cl.Int("--seed", 1, 0),
            WriteBackground = !cl.Has("--no-background"),
        };
        bool quiet = cl.Has("--quiet");
        var clips = DatasetComposer.Run(options, quiet ? null : Console.WriteLine, cancel);
        if (!quiet) Console.WriteLine($"{clips.Count} clip(s) of {options.Frames} frame(s), {width}x{height}, in {Path.GetFullPath(options.Output)}");
        return 0;
    }
}
