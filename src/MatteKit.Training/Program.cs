using System.CommandLine;
using MatteKit;
using MatteKit.CommandLine;
using MatteKit.Media;
using MatteKit.Training;

// The training program behind `mattekit train`: one line on stderr and a non-zero exit for anything wrong with the
// command line (2) or the data, weights and outputs (1); a signal stops training with a resumable checkpoint (130).
using var interruption = new TrainingInterruption();
if (!ParentDeath.Arm())
{
    Console.Error.WriteLine("mattekit train: cancelled (mattekit, which started it, has ended)");
    return TrainingInterruption.ExitCode;
}
try
{
    var root = new RootCommand("mattekit train - fine-tune Robust Video Matting (TorchSharp, CPU)") { TrainCommand.Build(interruption) };
    // Called as `mattekit-train ARGS` or, forwarded by `mattekit train ARGS`, with the command word first.
    var words = args.Length > 0 && args[0] == "train" ? args : new[] { "train" }.Concat(args).ToArray();
    var parse = root.Parse(words, new ParserConfiguration { ResponseFileTokenReplacer = null });
    if (parse.Errors.Count > 0) throw new UsageException(UsageErrors.OneLine(parse));
    return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
}
catch (UsageException e)
{
    Console.Error.WriteLine($"mattekit train: {e.Message}");
    return 2;
}
catch (OperationCanceledException) when (interruption.Quit.IsCancellationRequested)
{
    // A signal while the data loaded, acted on between two files.
    PartialOutputs.RemoveAll();
    Console.Error.WriteLine("mattekit train: cancelled");
    return TrainingInterruption.ExitCode;
}
catch (System.Runtime.InteropServices.ExternalException e)
{
    // libtorch's messages carry a C++ backtrace after the first line.
    PartialOutputs.RemoveAll();
    Console.Error.WriteLine($"mattekit train: libtorch: {e.Message.Split('\n')[0]}");
    return 1;
}
catch (Exception e) when (e is WeightsFormatException or MediaFormatException or ArgumentException or IOException or UnauthorizedAccessException)
{
    PartialOutputs.RemoveAll();
    Console.Error.WriteLine($"mattekit train: {ParameterFlags.Say(e)}");
    return 1;
}
