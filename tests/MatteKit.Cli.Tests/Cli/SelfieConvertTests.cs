using MatteKit.Chunking;
using MatteKit.Conversion;
using MatteKit.Media;
using MatteKit.Selfie;
using MatteKit.Tests.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace MatteKit.Tests.Cli;

/// <summary><c>convert --model selfie|selfie-landscape</c> as a user runs it: real ffmpeg, outputs checked with ffprobe.</summary>
public sealed class SelfieConvertTests
{
    private static readonly string Clip = Path.Combine(SharedData.RepoRoot, "samples", "astronaut_zoom.mp4");
    private static readonly string Image = Path.Combine(SharedData.RepoRoot, "samples", "astronaut.png");
    private readonly ITestOutputHelper _log;

    public SelfieConvertTests(ITestOutputHelper log) => _log = log;

    [SkippableFact]
    public void SampleClipGivesAlphaAndTransparentCompositionWithAudio()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        string alpha = dir.File("alpha.mp4"), com = dir.File("com.webm");
        var r = CliRunner.Run("convert", Clip, "--model", "selfie", "--mask-smoothing", "0.3", "--output-alpha", alpha,
            "--output-composition", com, "--background", "transparent", "--threads", "2");
        _log.WriteLine(r.StdOut + r.StdErr);
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("selfie segmentation (embedded:mediapipe/selfie_segmentation.tflite, network 256x256), guided-filter edge, smoothing 0.3", r.StdOut);
        var a = MediaTools.Video(alpha);
        Assert.Equal((512, 512, 30), (a.Width, a.Height, a.Frames));
        var c = MediaTools.Video(com);
        Assert.Equal(("vp9", 30), (c.Codec, c.Frames));
        Assert.Contains(MediaTools.Probe(com), s => s.Type == "audio");
        // The mask of a portrait: the middle of the frame is person, the top corners are not.
        var last = MediaTools.DecodeFrames(alpha, "gray", 512, 512)[^1];
        Assert.True(last[300 * 512 + 256] > 200, $"centre {last[300 * 512 + 256]}");
        Assert.True(last[10 * 512 + 10] < 50, $"corner {last[10 * 512 + 10]}");
        Assert.Equal(new[] { "alpha.mp4", "com.webm" }, Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order().ToArray());
    }

    [Fact]
    public void LandscapeModelOnAnImageWritesTheMaskAndTheInputAsForeground()
    {
        using var dir = new TempFolder();
        var r = CliRunner.Run("convert", Image, "--model", "selfie-landscape", "--mask-edge", "bilinear",
            "--output-alpha", dir.File("a.png"), "--output-foreground", dir.File("f.png"));
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("network 256x144), bilinear edge", r.StdOut);
        Assert.Equal(PngFile.ReadRgb(Image).Pixels, PngFile.ReadRgb(dir.File("f.png")).Pixels);
        var a = PngFile.ReadGray(dir.File("a.png"));
        Assert.InRange(a.Pixels.Count(v => v > 200) / (double)a.Pixels.Length, 0.2, 0.9);
    }

    [Theory]
    [InlineData("--output-segmentation", "s.png", "--output-segmentation is RVM's segmentation pass; with --model selfie, --output-alpha is the mask")]
    [InlineData("--downsample-ratio", "0.5", "--downsample-ratio is RVM's; --model selfie runs at its fixed network size")]
    [InlineData("--refiner", "deep", "--refiner is RVM's; with --model selfie use --mask-edge")]
    [InlineData("--mask-smoothing", "0.95", "--mask-smoothing must be a number from 0 to 0.9, got 0.95")]
    [InlineData("--model", "yolo", "--model must be")]
    public void OptionsThatDoNotApplyAreUsageErrors(string option, string value, string message)
    {
        using var dir = new TempFolder();
        var args = new List<string> { "convert", Image, "--output-alpha", dir.File("a.png"), option, value };
        if (option != "--model") args.AddRange(new[] { "--model", "selfie" });
        var r = CliRunner.Run(args.ToArray());
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.StdErr);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void SelfieOptionsWithoutASelfieModelAreUsageErrors()
    {
        using var dir = new TempFolder();
        var r = CliRunner.Run("convert", Image, "--output-alpha", dir.File("a.png"), "--mask-smoothing", "0.2");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--mask-smoothing is for the selfie models", r.StdErr);
    }

    [Fact]
    public void ADamagedTfliteIsOneLineNamingIt()
    {
        using var dir = new TempFolder();
        var bad = dir.File("bad.tflite");
        File.WriteAllText(bad, "not a model at all");
        var r = CliRunner.Run("convert", Image, "--model", "selfie", "--weights", bad, "--output-alpha", dir.File("a.png"));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains($"{bad}: not a TensorFlow Lite model", r.StdErr);
        Assert.Single(r.StdErr.Trim().Split('\n'));
        Assert.False(File.Exists(dir.File("a.png")));
    }

    [Fact]
    public void APlanCarriesTheModelToItsChunks()
    {
        var options = new ConvertOptions { Input = "in.mp4", OutputAlpha = "a.mp4", Matting = new() { Model = MatteModel.SelfieLandscape, MaskSmoothing = 0.4f, MaskEdge = SelfieEdge.Bilinear } };
        var json = System.Text.Json.JsonSerializer.Serialize(options, PlanJson.Options);
        var back = System.Text.Json.JsonSerializer.Deserialize<ConvertOptions>(json, PlanJson.Options)!;
        Assert.Equal(options.Matting, back.Matting);
        Assert.Null(back.OutputAlpha); // each chunk sets its own outputs
    }
}
