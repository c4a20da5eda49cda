using MatteKit.Cli;
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

try
{
    if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
    {
        Console.WriteLine(Usage);
        return args.Length == 0 ? 2 : 0;
    }
    if (args[0] == "--version")
    {
        Console.WriteLine($"mattekit {typeof(WeightSet).Assembly.GetName().Version}");
        return 0;
    }
    return args[0] switch
    {
        "convert" => ConvertCommand.Run(args[1..]),
        "export-onnx" => ExportOnnxCommand.Run(args[1..]),
        "compose-dataset" => ComposeDatasetCommand.Run(args[1..]),
        "evaluate" => EvaluateCommand.Run(args[1..]),
        _ => throw new UsageException($"unknown command '{args[0]}' (see mattekit --help)"),
    };
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
    return 130;
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"mattekit: {e.Message}");
    return 1;
}
