using MatteKit.Evaluation;

namespace MatteKit.Cli;

/// <summary><c>mattekit evaluate</c>: the command-line face of <see cref="MatteEvaluator"/> and its reports.</summary>
internal static class EvaluateCommand
{
    public const string Help = """
        Usage: mattekit evaluate --pred DIR --true DIR [options]

        Scores predicted mattes against ground truth, clip by clip, with the RVM evaluation's metrics:
        MAD, MSE (x1e3), Grad, Conn (/1e3), dtSSD (x1e2), foreground MSE and MAD (x1e3, where true alpha > 0),
        and J, F, J&F (alpha >= 0.5 masks). Layout (the official one): DIR/<clip>/pha/*.png and optionally
        DIR/<clip>/fgr/*.png; a DIR holding pha/ itself is one clip. Every ground-truth frame needs a prediction
        with the same file name and size. Prints a table (each clip's mean over frames, then the mean over clips).

        --pred DIR         predictions
        --true DIR         ground truth
        --json FILE        all scores (per frame, per clip, mean) as JSON
        --csv FILE         all scores as CSV (one row per frame, clip means, dataset mean)
        --report FILE      a self-contained HTML page: table, per-frame curves, worst frames with error heat-maps
        """;

    private static readonly HashSet<string> ValueOptions = new() { "--pred", "--true", "--json", "--csv", "--report" };
    private static readonly HashSet<string> Flags = new() { "--help" };

    public static int Run(string[] args)
    {
        var cl = CommandLine.ForCommand(args, ValueOptions, Flags, Help);
        if (cl is null) return 0;
        var predicted = cl.Value("--pred") ?? throw new UsageException("--pred is required (see mattekit evaluate --help)");
        var truth = cl.Value("--true") ?? throw new UsageException("--true is required (see mattekit evaluate --help)");
        foreach (var option in new[] { "--json", "--csv", "--report" })
        {
            var path = cl.Value(option);
            if (path is null) continue;
            var parent = Path.GetDirectoryName(Path.GetFullPath(path))!;
            if (!Directory.Exists(parent)) throw new UsageException($"{option}: folder {parent} does not exist");
        }

        var scores = MatteEvaluator.Evaluate(predicted, truth);
        Console.Write(ScoresTable.ToText(scores));
        if (cl.Value("--json") is { } json) MatteKit.Media.OutputFile.WriteAllText(json, ScoresTable.ToJson(scores));
        if (cl.Value("--csv") is { } csv) MatteKit.Media.OutputFile.WriteAllText(csv, ScoresTable.ToCsv(scores));
        if (cl.Value("--report") is { } report) EvaluationReport.Write(report, scores, predicted, truth);
        return 0;
    }
}
