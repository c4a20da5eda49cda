using System.CommandLine;
using MatteKit.Chunking;
using MatteKit.Conversion;

namespace MatteKit.Cli;

/// <summary>
/// <c>mattekit plan INPUT [convert options] --chunk-frames N [--warmup W] --out plan.json</c>: a conversion cut into
/// chunks any worker can do (<c>mattekit chunk</c>), then joined (<c>mattekit join</c>); checked once here.
/// </summary>
internal static class PlanCommand
{
    /// <summary>A plan's warm-up unless given: measured with bench seams, forward priming with 15 frames keeps the joined MAD within 0.05% of one pass.</summary>
    public const int DefaultWarmup = 15;

    private static readonly Option<string?> Out = OptionValues.OutputPath("--out", "where to write the plan (JSON; its segments go to a folder beside it)", "plan.json");

    public static Command Build(CancellationToken cancel)
    {
        var command = new Command("plan", "Cut a conversion into chunks for several machines: mattekit chunk does one, mattekit join puts them together");
        ConvertCommand.AddOptions(command);
        command.Add(ConvertCommand.ChunkFrames);
        command.Add(Out);
        command.SetAction(parse => Run(parse, cancel));
        return command;
    }

    private static int Run(ParseResult parse, CancellationToken cancel)
    {
        var options = ConvertCommand.ReadOptions(parse);
        int chunkFrames = parse.GetValue(ConvertCommand.ChunkFrames) ?? throw new UsageException("--chunk-frames N is needed (frames per chunk)");
        string output = parse.GetValue(Out) ?? throw new UsageException("--out plan.json is needed");
        bool quiet = ConvertCommand.IsQuiet(parse);
        var plan = Create(options, chunkFrames, ConvertCommand.GivenWarmup(parse) ?? DefaultWarmup, output, quiet, cancel);
        if (!quiet)
        {
            if (plan.Subject is { } subject) Console.WriteLine($"person pass: {subject.Summary}");
            Console.WriteLine($"{plan.PlanPath}: {plan.Frames} frames at {plan.FrameRate} fps in {plan.ChunksSaid}, " +
                              $"warm-up {plan.Warmup} ({plan.WarmupOrder.ToString().ToLowerInvariant()})");
            Console.WriteLine($"run: mattekit chunk {plan.PlanPath} --index K (K = 0 to {plan.Chunks.Count - 1}, any order, any machine), then mattekit join {plan.PlanPath}");
        }
        return 0;
    }

    /// <summary>The plan with its person pass if a subject is chosen, written; its option errors as usage errors (exit 2).</summary>
    internal static ConversionPlan Create(ConvertOptions options, int chunkFrames, int warmup, string output, bool quiet, CancellationToken cancel)
    {
        var made = Make(options, chunkFrames, warmup, output, cancel);
        // After the check that the plan is no input or output and that no output lies in its segments folder (the more
        // telling lines), before the person pass, which may take minutes: the plan file is written last.
        ReplaceableOutputs.RequireEmptyFolders(PathCollisions.Outputs(options));
        ReplaceableOutputs.Require(new[] { ("--out", output) });
        var plan = WithSubjectPass(made, options, quiet, cancel);
        plan.Save();
        return plan;
    }

    /// <summary>
    /// With a subject, the plan's person pass over the whole input (detector and masks, no matting), its progress as
    /// convert's; a choice that names nobody is a usage error (exit 2), as in convert.
    /// </summary>
    internal static ConversionPlan WithSubjectPass(ConversionPlan plan, ConvertOptions options, bool quiet, CancellationToken cancel)
    {
        if (options.Subject is not { } choice) return plan;
        try
        {
            return plan.WithSubjectPass(choice, quiet ? null : new PlainProgress(), cancel);
        }
        catch (MatteKit.Subjects.SubjectChoiceException e)
        {
            throw new UsageException(ParameterFlags.Say(e));
        }
    }

    /// <summary>The plan, not written yet; its option errors as usage errors (exit 2).</summary>
    internal static ConversionPlan Make(ConvertOptions options, int chunkFrames, int warmup, string output, CancellationToken cancel)
    {
        try
        {
            return ConversionPlan.Make(options, chunkFrames, warmup, options.WarmupOrder, output, cancel);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(ParameterFlags.Say(e));
        }
    }
}
