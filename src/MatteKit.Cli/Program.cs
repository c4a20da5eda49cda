using System.CommandLine;
using MatteKit;
using MatteKit.Cli;
using MatteKit.CommandLine;
using MatteKit.Inference;
using MatteKit.Weights;

// `mattekit train` is the training program's (its own signals, options and exit codes): handed over first.
if (args.Length > 0 && args[0] == "train")
{
    try { return TrainForwarder.Run(args[1..]); }
    catch (IOException e) { Console.Error.WriteLine($"mattekit: {e.Message}"); return 1; }
}

// One line on stderr and a non-zero exit for anything wrong with the input; stack traces only for our own bugs.
// Signals are taken from here on, before any probing or loading, so that every phase can be interrupted.
using var interruption = new Interruption();
try
{
    if (args.Length == 1 && args[0] == "--version")
    {
        Console.WriteLine($"mattekit {RuntimeVersions.MatteKit}");
        Console.WriteLine($"ONNX Runtime {RuntimeVersions.OnnxRuntime}");
        Console.WriteLine($"ffmpeg {RuntimeVersions.Ffmpeg}");
        Console.WriteLine($"default model: {RuntimeVersions.DefaultModel}");
        Console.Out.Flush();
        return 0;
    }
    var root = new RootCommand("mattekit - human video matting (Robust Video Matting, run by ONNX Runtime). " +
                               "Run 'mattekit COMMAND --help' for a command's options; --version for the versions in use.")
    {
        ConvertCommand.Build(interruption.Token),
        LiveCommand.Build(interruption.Token),
        PlanCommand.Build(interruption.Token),
        ChunkCommand.BuildChunk(interruption.Token),
        ChunkCommand.BuildJoin(interruption.Token),
        SlurmCommand.Build(),
        ExportOnnxCommand.Build(),
        ComposeDatasetCommand.Build(interruption.Token),
        EvaluateCommand.Build(),
        MatteKit.Cli.Serve.ServeCommand.Build(interruption.Token),
        // Listed for --help; `mattekit train ...` is handed to the training program before parsing (TrainForwarder).
        new Command("train", $"fine-tune RVM on your own footage (runs {TrainForwarder.ProgramName}, installed separately: {TrainForwarder.Install}); 'mattekit train --help' for its options"),
    };
    // @file would otherwise read arguments from a file: an input named "@clip.mp4" must stay a name.
    var parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
    if (args.Length == 0)
    {
        parse = root.Parse(new[] { "--help" });
        parse.Invoke();
        return 2;
    }
    if (parse.Errors.Count > 0) throw new UsageException(UsageErrors.OneLine(parse));
    // Our own handler reports exceptions in one line; signals are Interruption's, not the parser's.
    return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
}
catch (Exception e) when (interruption.Signalled || (e is MediaFormatException or IOException && interruption.CausedFailure()))
{
    // Whatever failed on the way out (an ffmpeg child that got the same Ctrl-C, a cancelled wait) is the signal's doing.
    Console.Error.WriteLine("mattekit: cancelled; no output was written");
    return Interruption.ExitCode;
}
catch (UsageException e)
{
    Console.Error.WriteLine($"mattekit: {e.Message}");
    return 2;
}
catch (Exception e) when (e is WeightsFormatException or MediaFormatException or ArgumentException or MatteKit.Live.LiveSessionException)
{
    // The library names its parameters; here they are the flags that set them.
    Console.Error.WriteLine($"mattekit: {ParameterFlags.Say(e)}");
    return 1;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("mattekit: cancelled; no output was written");
    return Interruption.ExitCode;
}
catch (UnauthorizedAccessException e)
{
    // .NET's text ("Access to the path '...' is denied.") names whatever path it was; say it plainly.
    Console.Error.WriteLine($"mattekit: permission denied ({e.Message.Replace("Access to the path ", "").Replace(" is denied.", "")})");
    return 1;
}
catch (IOException e)
{
    Console.Error.WriteLine($"mattekit: {e.Message}");
    return 1;
}
