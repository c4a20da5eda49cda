using System.CommandLine;
using MatteKit.Evaluation;
using MatteKit.Media;

namespace MatteKit.Cli;

/// <summary><c>mattekit evaluate</c>: the command-line face of <see cref="MatteEvaluator"/> and its reports.</summary>
internal static class EvaluateCommand
{
    private static readonly Option<string?> Pred = OptionValues.Path("--pred", "predictions (required)", "DIR", PathUse.Read);
    private static readonly Option<string?> True = OptionValues.Path("--true", "ground truth (required)", "DIR", PathUse.Read);
    private static readonly Option<string?> Json = OptionValues.OutputPath("--json", "all scores (per frame, per clip, mean) as JSON", "FILE");
    private static readonly Option<string?> Csv = OptionValues.OutputPath("--csv", "all scores as CSV (one row per frame, clip means, dataset mean)", "FILE");
    private static readonly Option<string?> Report = OptionValues.OutputPath("--report",
        "a self-contained HTML page: table, per-frame curves, worst frames with error heat-maps", "FILE");

    public static Command Build()
    {
        var command = new Command("evaluate", "Scores predicted mattes against ground truth, clip by clip, with the RVM evaluation's metrics: MAD, MSE (x1e3), Grad, Conn (/1e3), dtSSD (x1e2), foreground MSE and MAD (x1e3, where true alpha > 0), and J, F, J&F (alpha >= 0.5 masks). Layout (the official one): DIR/<clip>/pha/*.png and optionally DIR/<clip>/fgr/*.png; a DIR holding pha/ itself is one clip. Every ground-truth frame needs a prediction with the same file name and size. Prints a table (each clip's mean over frames, then the mean over clips).") { Pred, True, Json, Csv, Report };
        command.SetAction(Run);
        return command;
    }

    private static int Run(ParseResult parse)
    {
        var predicted = parse.GetValue(Pred) ?? throw new UsageException("--pred is required (see mattekit evaluate --help)");
        var truth = parse.GetValue(True) ?? throw new UsageException("--true is required (see mattekit evaluate --help)");
        var outputs = new List<(string Option, string Path)>();
        foreach (var option in new[] { Json, Csv, Report })
        {
            var path = parse.GetValue(option);
            if (path is null) continue;
            var parent = ParentFolder.Of(path);
            if (!Directory.Exists(parent)) throw new UsageException($"{option.Name}: folder {parent} does not exist");
            outputs.Add((option.Name, path));
        }
        // An output must replace neither a frame it scores (through any name: a link, a path inside the folders)
        // nor another output: checked before reading a frame, as convert checks its own.
        try
        {
            if (outputs.Count > 0) MatteKit.Conversion.PathCollisions.Check(MatteEvaluator.InputFiles(predicted, truth), outputs);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(ParameterFlags.Say(e));
        }
        // Written after every frame is scored: refused now, not then (a link or a FIFO there; one onto an input is
        // named as that above).
        ReplaceableOutputs.Require(outputs);

        var scores = MatteEvaluator.Evaluate(predicted, truth);
        Console.Write(ScoresTable.ToText(scores));
        if (parse.GetValue(Json) is { } json) MatteKit.Media.OutputFile.WriteAllText(json, ScoresTable.ToJson(scores));
        if (parse.GetValue(Csv) is { } csv) MatteKit.Media.OutputFile.WriteAllText(csv, ScoresTable.ToCsv(scores));
        if (parse.GetValue(Report) is { } report) EvaluationReport.Write(report, scores, predicted, truth);
        return 0;
    }
}
