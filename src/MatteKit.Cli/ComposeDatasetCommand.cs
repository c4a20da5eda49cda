using System.CommandLine;
using MatteKit.Datasets;

namespace MatteKit.Cli;

/// <summary><c>mattekit compose-dataset</c>: the command-line face of <see cref="DatasetComposer"/>.</summary>
internal static class ComposeDatasetCommand
{
    private static readonly Option<string?> Foregrounds = OptionValues.Path("--foregrounds",
        "folders of cut-outs, each with image.jpg (or image.png) and alpha.png (required)", "DIR", PathUse.Read);
    private static readonly Option<string?> Backgrounds = OptionValues.Path("--backgrounds",
        "a background image or video, or a folder of them (searched recursively; the cut-outs take them in turn). Backgrounds must show no people (required)", use: PathUse.Read);
    private static readonly Option<string?> Out = OptionValues.OutputPath("--out", "the dataset folder to create (must not exist or be empty; required)", "DIR");
    private static readonly Option<(int Width, int Height)?> Size = OptionValues.Size("--size", "frame size (default 512x288, the paper's low-resolution setting)", 16, 8192);
    private static readonly Option<int?> Frames = OptionValues.WholeNumber("--frames", "frames per clip (default 30)", 1);
    private static readonly Option<int?> Clips = OptionValues.WholeNumber("--clips", "at most N clips (default: one per cut-out)", 1);
    private static readonly Option<int?> Seed = OptionValues.WholeNumber("--seed", "motion seed (default 1); the same seed and inputs give the same clips", 0);
    private static readonly Option<bool> NoBackground = OptionValues.Flag("--no-background", "do not write bgr/");
    private static readonly Option<bool> Quiet = OptionValues.Flag("--quiet", "no progress");

    public static Command Build(CancellationToken cancel)
    {
        var command = new Command("compose-dataset", "Builds clips with exact ground truth: each cut-out moves (sway, zoom, small rotation) over a background (a panning, zooming crop of a still, or a video); alpha, foreground and background are rounded to 8 bits first and the composite is made from the stored values. Writes OUT/<clip>/com|pha|fgr|bgr/NNNN.png and OUT/<clip>/meta.json. JPEG stills and videos are decoded with ffmpeg (needed on PATH).")
        { Foregrounds, Backgrounds, Out, Size, Frames, Clips, Seed, NoBackground, Quiet };
        command.SetAction(parse => Run(parse, cancel));
        return command;
    }

    private static int Run(ParseResult parse, CancellationToken cancel)
    {
        string Required(Option<string?> option)
            => parse.GetValue(option) ?? throw new UsageException($"{option.Name} is required (see mattekit compose-dataset --help)");
        var (width, height) = parse.GetValue(Size) ?? (512, 288);
        var options = new ComposeOptions
        {
            Foregrounds = Required(Foregrounds),
            Backgrounds = Required(Backgrounds),
            Output = Required(Out),
            Width = width,
            Height = height,
            Frames = parse.GetValue(Frames) ?? 30,
            MaxClips = parse.GetValue(Clips) ?? 0,
            Seed = parse.GetValue(Seed) ?? 1,
            WriteBackground = !parse.GetValue(NoBackground),
        };
        try
        {
            DatasetComposer.CheckFolders(options);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(ParameterFlags.Say(e));
        }
        // A real folder (empty) is replaced; one that holds something, a link to one, or a FIFO, is refused before any
        // work. After the check that --out is no input, the more telling line where both apply.
        ReplaceableOutputs.Require(new[] { ("--out", options.Output) }, foldersTaken: _ => true);
        ReplaceableOutputs.RequireEmptyFolders(new[] { ("--out", options.Output) });
        bool quiet = parse.GetValue(Quiet);
        var clips = DatasetComposer.Run(options, quiet ? null : Console.WriteLine, cancel);
        if (!quiet) Console.WriteLine($"{clips.Count} clip(s) of {options.Frames} frame(s), {width}x{height}, in {Path.GetFullPath(options.Output)}");
        return 0;
    }
}
