using MatteKit.Cli;
using MatteKit.Inference;
using MatteKit.Media;
using MatteKit.Weights;

// One line on stderr and a non-zero exit for anything wrong with the input; stack traces only for our own bugs.
const string Usage = """
    mattekit - human video matting (Robust Video Matting, run by ONNX Runtime)

    Usage: mattekit convert INPUT [options]     matte a video, a folder of frames or an image
           mattekit convert INPUT --background-plate PLATE|auto --weights BGMV2.pth [options]
                                                background-plate mode (BackgroundMattingV2)
           mattekit export-onnx --size WxH --out model.onnx [options]
                                                write the network as an ONNX file (static shapes, fixed ratio)
           mattekit compose-dataset [options]   build clips with exact ground truth
           mattekit evaluate --pred DIR --true DIR   score mattes against ground truth
           mattekit --version

    Run 'mattekit COMMAND --help' for the options.
    """;

// Signals are taken from here on, before any probing or loading, so that every phase can be interrupted.
using var interruption = new Interruption();
try
{
    if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
    {
        Console.WriteLine(Usage);
        return args.Length == 0 ? 2 : 0;
    }
    if (args[0] == "--version")
    {
        Console.WriteLine($"mattekit {RuntimeVersions.MatteKit}");
        Console.WriteLine($"ONNX Runtime {RuntimeVersions.OnnxRuntime}");
        Console.WriteLine($"ffmpeg {RuntimeVersions.Ffmpeg}");
        Console.WriteLine($"default model: {RuntimeVersions.DefaultModel}");
        Console.Out.Flush();
        return 0;
    }
    return args[0] switch
    {
        "convert" => ConvertCommand.Run(args[1..], interruption.Token),
        "export-onnx" => ExportOnnxCommand.Run(args[1..]),
        "compose-dataset" => ComposeDatasetCommand.Run(args[1..], interruption.Token),
        "evaluate" => EvaluateCommand.Run(args[1..]),
        _ => throw new UsageException($"unknown command '{args[0]}' (see mattekit --help)"),
    };
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
catch (Exception e) when (e is WeightsFormatException or MediaFormatException or ArgumentException)
{
    Console.Error.WriteLine($"mattekit: {e.Message}");
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
