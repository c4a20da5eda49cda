using System.Globalization;
using MatteKit.Rvm;
using MatteKit.Weights;

namespace MatteKit.Cli;

/// <summary><c>mattekit export-onnx</c>: writes the graph MatteKit builds as a stand-alone ONNX file.</summary>
internal static class ExportOnnxCommand
{
    public const string Help = """
        Usage: mattekit export-onnx --size WxH --out model.onnx [options]

        Writes the RVM graph MatteKit builds for one frame size and one downsample ratio: static shapes and no
        dynamic ratio input, for TensorRT, OpenVINO, mobile runtimes and other engines that need them.
        Inputs: src [1,3,H,W] RGB 0..1, r1i..r4i at their full shapes (zeros for the first frame);
        outputs: fgr [1,3,H,W], pha [1,1,H,W], r1o..r4o (feed them back as r1i..r4i for the next frame).

        --size WxH                 frame size, e.g. 1920x1080
        --out PATH                 the .onnx file to write (written under a temporary name, then renamed)
        --downsample-ratio R|auto  fixed ratio in (0, 1]; auto (default): the network's longer side about 512 px
        --weights PATH             TF.js model.json (or its folder) or PyTorch .pth; default: embedded model
        --refiner fast|deep        refiner for ratios below 1; default: deep when the weights have it
        --fp16                     float16 weights and activations, and float16 inputs and outputs (as the
                                   official fp16 exports); default float32 throughout
        --quiet
        """;

    private static readonly HashSet<string> ValueOptions = new() { "--size", "--out", "--downsample-ratio", "--weights", "--refiner" };
    private static readonly HashSet<string> Flags = new() { "--fp16", "--quiet", "--help" };

    public static int Run(string[] args)
    {
        var cl = CommandLine.ForCommand(args, ValueOptions, Flags, Help);
        if (cl is null) return 0;
        var (width, height) = cl.Size("--size") ?? throw new UsageException("--size WxH is required (see mattekit export-onnx --help)");
        var output = cl.Value("--out") ?? throw new UsageException("--out PATH is required (see mattekit export-onnx --help)");
        if (!output.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)) throw new UsageException($"--out must name a .onnx file, got '{output}'");
        double ratio = ConvertCommand.ParseRatio(cl.Value("--downsample-ratio")) ?? RvmGeometry.AutoRatio(width, height);
        var refiner = ConvertCommand.ParseRefiner(cl.Value("--refiner"));
        bool fp16 = cl.Has("--fp16");

        var weightsPath = cl.Value("--weights");
        if (weightsPath is not null && weightsPath.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
            throw new WeightsFormatException(weightsPath, "is already an ONNX graph; export-onnx needs weights (TF.js model.json or PyTorch .pth)");
        var parent = Path.GetDirectoryName(Path.GetFullPath(output))!;
        if (!Directory.Exists(parent)) throw new IOException($"{output}: output folder {parent} does not exist");

        var network = RvmNetwork.FromWeights(weightsPath is null ? WeightsFile.LoadDefault() : WeightsFile.Load(weightsPath), refiner);
        var geometry = network.Geometry(width, height, ratio);
        RvmOnnxExport.Write(output, network, width, height, ratio, fp16);
        if (!cl.Has("--quiet"))
        {
            var refinerText = geometry.Refine ? (network.Refiner == RvmRefiner.DeepGuidedFilter ? "deep guided filter" : "fast guided filter") : "no refiner (ratio 1)";
            Console.WriteLine($"wrote {output} ({new FileInfo(output).Length / 1e6:F1} MB): RVM {network.Backbone}, {width}x{height} frames, " +
                $"ratio {ratio.ToString("0.####", CultureInfo.InvariantCulture)} (network at {geometry.NetworkWidth}x{geometry.NetworkHeight}), " +
                $"{refinerText}, {(fp16 ? "float16 in/out" : "float32")}");
        }
        return 0;
    }
}
