using System.CommandLine;
using System.Globalization;
using MatteKit.Inference;
using MatteKit.Media;
using MatteKit.Rvm;

namespace MatteKit.Cli;

/// <summary><c>mattekit export-onnx</c>: writes the graph MatteKit builds as a stand-alone ONNX file.</summary>
internal static class ExportOnnxCommand
{
    private static readonly Option<(int Width, int Height)?> Size = OptionValues.Size("--size", "frame size, e.g. 1920x1080 (required)");
    private static readonly Option<string?> Out = OptionValues.OutputPath("--out", "the .onnx file to write (written under a temporary name, then renamed; required)");
    private static readonly Option<bool> Fp16 = OptionValues.Flag("--fp16",
        "float16 weights and activations, and float16 inputs and outputs (as the official fp16 exports); default float32 throughout");

    public static Command Build()
    {
        // The same --downsample-ratio, --weights, --refiner, --precision and --quiet as convert: one declaration each.
        var command = new Command("export-onnx",
            "Write the RVM graph MatteKit builds for one frame size and one downsample ratio: static shapes and no dynamic ratio " +
            "input, for TensorRT, OpenVINO, mobile runtimes and other engines that need them. Inputs: src [1,3,H,W] RGB 0..1, " +
            "r1i..r4i at their full shapes (zeros for the first frame); outputs: fgr [1,3,H,W], pha [1,1,H,W], r1o..r4o (feed them " +
            "back as r1i..r4i for the next frame). --precision int8 writes the int8 graph convert runs with it")
        { Size, Out, SharedOptions.DownsampleRatio, SharedOptions.Weights, SharedOptions.Refiner, SharedOptions.Precision, Fp16, SharedOptions.Quiet };
        command.SetAction(Run);
        return command;
    }

    private static int Run(ParseResult parse)
    {
        var (width, height) = parse.GetValue(Size) ?? throw new UsageException("--size WxH is required (see mattekit export-onnx --help)");
        var output = parse.GetValue(Out) ?? throw new UsageException("--out PATH is required (see mattekit export-onnx --help)");
        if (!output.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)) throw new UsageException($"--out must name a .onnx file, got '{output}'");
        // Before any work: the commit would put a plain file where a FIFO, a device or a link was.
        ReplaceableOutputs.Require(new[] { ("--out", output) });
        var matting = SharedOptions.ReadMatting(parse);
        try
        {
            matting.Validate(); // the one range check of the ratio, the threads and the rest, and int8's embedded-model rule
        }
        catch (ArgumentException e)
        {
            throw new UsageException(ParameterFlags.Say(e));
        }
        double ratio = parse.RatioOrAuto(SharedOptions.DownsampleRatio) ?? RvmGeometry.AutoRatio(width, height);
        var refiner = parse.GetValue(SharedOptions.Refiner);
        bool fp16 = parse.GetValue(Fp16);
        if (fp16 && matting.Int8) throw new UsageException("--fp16 and --precision int8 exclude each other: a file is float16 or int8");

        var weightsPath = parse.GetValue(SharedOptions.Weights);
        if (weightsPath is not null && InputFile.HasKindExtension(weightsPath, ".onnx"))
            throw new WeightsFormatException(weightsPath, "is already an ONNX graph; export-onnx needs weights (TF.js model.json or PyTorch .pth)");
        var parent = ParentFolder.Of(output);
        if (!Directory.Exists(parent)) throw new IOException($"{output}: output folder {parent} does not exist");

        var network = RvmNetwork.FromWeights(WeightsFile.LoadOrDefault(weightsPath), refiner);
        var geometry = network.Geometry(width, height, ratio);
        RvmOnnxExport.Write(output, network, width, height, ratio, fp16, matting.Int8 ? EmbeddedInt8Ranges.Load() : null);
        if (!parse.GetValue(SharedOptions.Quiet))
        {
            var refinerText = geometry.Refine ? (network.Refiner == RvmRefiner.DeepGuidedFilter ? "deep guided filter" : "fast guided filter") : "no refiner (ratio 1)";
            Console.WriteLine($"wrote {output} ({new FileInfo(output).Length / 1e6:F1} MB): RVM {network.Backbone}, {width}x{height} frames, " +
                $"ratio {ratio.ToString("0.####", CultureInfo.InvariantCulture)} (network at {geometry.NetworkWidth}x{geometry.NetworkHeight}), " +
                $"{refinerText}, {(fp16 ? "float16 in/out" : matting.Int8 ? "int8: the encoder and LR-ASPP quantized (embedded ranges), float in/out" : "float32")}");
        }
        return 0;
    }
}
