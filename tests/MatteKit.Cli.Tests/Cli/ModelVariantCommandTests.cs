using MatteKit.Inference;
using MatteKit.Media;
using MatteKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace MatteKit.Tests.Cli;

/// <summary>
/// The CLI with the other official models: <c>export-onnx</c>, ONNX files as <c>--weights</c>, the segmentation
/// output and <c>--refiner</c>, run as a process the way a user does.
/// </summary>
[Trait("Needs", "shared")]
public sealed class ModelVariantCommandTests
{
    private static string ModelAPth => SharedData.Path("models", "rvm_mobilenetv3_dgf_seg_synthetic.pth");
    private readonly ITestOutputHelper _log;

    public ModelVariantCommandTests(ITestOutputHelper log) => _log = log;

    [Fact]
    public void ExportedOnnxFileMattesLikeTheWeightsItCameFrom()
    {
        using var dir = new TempFolder();
        var frame = dir.File("frame.png");
        PngFile.WriteRgb(frame, 96, 64, SyntheticFrames.Rgb24(96, 64, 0));
        var model = dir.File("rvm_96x64.onnx");
        var export = CliRunner.Run("export-onnx", "--size", "96x64", "--downsample-ratio", "0.5", "--out", model);
        _log.WriteLine(export.StdOut + export.StdErr);
        Assert.True(export.ExitCode == 0, export.StdErr);
        Assert.Contains("network at 48x32", export.StdOut);

        var fromOnnx = CliRunner.Run("convert", frame, "--weights", model, "--output-alpha", dir.File("a_onnx.png"), "--downsample-ratio", "0.5");
        var fromWeights = CliRunner.Run("convert", frame, "--output-alpha", dir.File("a_weights.png"), "--downsample-ratio", "0.5");
        Assert.True(fromOnnx.ExitCode == 0, fromOnnx.StdErr);
        Assert.True(fromWeights.ExitCode == 0, fromWeights.StdErr);
        // The export hands out floats rounded here; the weights' graph rounds to 8 bits inside the network: a value
        // within float error of a rounding boundary may fall either side (seen on one CPU: 1 pixel of 6144, by 1).
        var weights = PngFile.ReadGray(dir.File("a_weights.png")).Pixels;
        var onnx = PngFile.ReadGray(dir.File("a_onnx.png")).Pixels;
        Assert.Equal(weights.Length, onnx.Length);
        int differing = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            Assert.InRange(Math.Abs(weights[i] - onnx[i]), 0, 1);
            if (weights[i] != onnx[i]) differing++;
        }
        Assert.True(differing <= weights.Length / 1000, $"{differing} of {weights.Length} pixels differ by one level");

        var wrongSize = CliRunner.Run("convert", Path.Combine(SharedData.RepoRoot, "samples", "astronaut.png"), "--weights", model,
            "--output-alpha", dir.File("x.png"));
        Assert.Equal(1, wrongSize.ExitCode);
        Assert.Contains("built for 96x64 frames", wrongSize.StdErr);
        Assert.False(File.Exists(dir.File("x.png")));
    }

    [Fact]
    public void Float16ExportRunsInOnnxRuntime()
    {
        using var dir = new TempFolder();
        var model = dir.File("rvm_fp16.onnx");
        var r = CliRunner.Run("export-onnx", "--size", "64x48", "--downsample-ratio", "1", "--out", model, "--fp16");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("float16", r.StdOut);
        using var matter = VideoMatter.Load(model, new MatterOptions { Threads = 1 });
        var result = matter.Process(SyntheticFrames.Rgb24(64, 48, 0), 64, 48);
        Assert.Equal(64 * 48, result.Alpha.Length);
        foreach (var a in result.Alpha) Assert.InRange(a, 0f, 1f);
    }

    [SkippableFact]
    public void SegmentationOutputIsAProbabilityMapOrAMask()
    {
        SharedData.SkipIfMissing(ModelAPth);
        using var dir = new TempFolder();
        var sample = Path.Combine(SharedData.RepoRoot, "samples", "astronaut.png");
        var r = CliRunner.Run("convert", sample, "--weights", ModelAPth, "--output-segmentation", dir.File("seg.png"),
            "--output-alpha", dir.File("alpha.png"), "--downsample-ratio", "0.5");
        _log.WriteLine(r.StdOut + r.StdErr);
        Assert.True(r.ExitCode == 0, r.StdErr);
        var probability = PngFile.ReadGray(dir.File("seg.png"));
        Assert.Equal((512, 512), (probability.Width, probability.Height));
        Assert.True(probability.Pixels.Distinct().Count() > 2, "a probability map has more than two levels");

        var m = CliRunner.Run("convert", sample, "--weights", ModelAPth, "--output-segmentation", dir.File("mask.png"),
            "--segmentation-threshold", "0.5", "--downsample-ratio", "0.5");
        Assert.True(m.ExitCode == 0, m.StdErr);
        var mask = PngFile.ReadGray(dir.File("mask.png"));
        Assert.All(mask.Pixels, v => Assert.True(v is 0 or 255));
        // The mask is the probability map cut at 0.5 (128 of 255 rounds from 0.50196; both come from the same pass).
        for (int i = 0; i < mask.Pixels.Length; i++)
            if (probability.Pixels[i] != 127 && probability.Pixels[i] != 128)
                Assert.Equal(probability.Pixels[i] > 128 ? 255 : 0, mask.Pixels[i]);
    }

    [Fact]
    public void SegmentationWithTheTfjsModelIsOneClearLine()
    {
        using var dir = new TempFolder();
        var r = CliRunner.Run("convert", Path.Combine(SharedData.RepoRoot, "samples", "astronaut.png"), "--output-segmentation", dir.File("seg.png"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("no segmentation head", r.StdErr);
        Assert.Single(r.StdErr.Trim().Split('\n'));
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void DeepRefinerWithoutItsWeightsIsOneClearLine()
    {
        using var dir = new TempFolder();
        var r = CliRunner.Run("convert", Path.Combine(SharedData.RepoRoot, "samples", "astronaut.png"), "--refiner", "deep", "--output-alpha", dir.File("a.png"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("deep guided filter", r.StdErr);
        Assert.Single(r.StdErr.Trim().Split('\n'));
        var bad = CliRunner.Run("convert", "x.png", "--refiner", "smooth", "--output-alpha", dir.File("a.png"));
        Assert.Equal(2, bad.ExitCode);
    }

    [SkippableFact]
    public void OfficialOnnxFileRunsThroughWeightsAndHelpSaysItAlwaysRefines()
    {
        var file = SharedData.Path("models", "rvm_mobilenetv3_fp32.onnx");
        SharedData.SkipIfMissing(file);
        using var dir = new TempFolder();
        var r = CliRunner.Run("convert", Path.Combine(SharedData.RepoRoot, "samples", "astronaut.png"), "--weights", file, "--output-alpha", dir.File("a.png"));
        Assert.True(r.ExitCode == 0, r.StdErr);
        var alpha = PngFile.ReadGray(dir.File("a.png"));
        double person = alpha.Pixels.Count(v => v > 200) / (double)alpha.Pixels.Length;
        _log.WriteLine($"official ONNX: alpha > 200 on {person:P1} of the pixels");
        Assert.InRange(person, 0.2, 0.9);
        var help = CliRunner.Run("convert", "--help");
        Assert.Contains("always resize and run their refiner", help.StdOut);
    }
}
