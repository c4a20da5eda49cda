using MatteKit.Conversion;
using Spectre.Console;

namespace MatteKit.Cli;

/// <summary>
/// A live progress bar (frames done/total, fps, ETA) on stderr when stderr is a terminal. Spectre.Console
/// redraws it on its own thread; the conversion reports into it from the encode thread.
/// </summary>
internal static class LiveProgressBar
{
    public static bool CanShow => !Console.IsErrorRedirected;

    public static ConvertSummary Run(Func<IProgress<ConvertProgress>, ConvertSummary> convert)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("starting");
                task.IsIndeterminate = true;
                var summary = convert(new ProgressTaskReporter(task));
                task.StopTask();
                return summary;
            });
    }
}
