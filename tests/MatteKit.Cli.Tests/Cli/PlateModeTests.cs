using MatteKit.Inference;
using MatteKit.Media;
using MatteKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace MatteKit.Tests.Cli;

/// <summary><c>mattekit convert --background-plate</c> end to end, run as a user runs it.</summary>
[Trait("Needs", "shared")]
public sealed class PlateModeTests
{
    private static readonly string Plates = SharedData.Path("media", "plates", "pedestrians_static_cam_576p");
    private static readonly string Weights = SharedData.Path("models", "bgmv2_mobilenetv2_synthetic.pth");
    private readonly ITestOutputHelper _log;

    public PlateModeTests(ITestOutputHelper log) => _log = log;

    [Fact]
    public void WithoutBgmWeightsSaysWhatToDownloadAndWhereToPassIt()
    {
        using var tmp = new TempFolder();
        var r = CliRunner.Run("convert", Path.Combine(SharedData.RepoRoot, "samples", "astronaut.png"),
            "--background-plate", Path.Combine(SharedData.RepoRoot, "samples", "astronaut.png"), "--output-alpha", tmp.File("a.png"));
        _log.WriteLine(r.StdErr);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("pytorch_mobilenetv2.pth", r.StdErr);
        Assert.Contains("PeterL1n/BackgroundMattingV2", r.StdErr);
        Assert.Contains("--weights", r.StdErr);
        Assert.False(File.Exists(tmp.File("a.png")));
    }

    [Fact]
    public void RvmWeightsAreRefusedWithTheSameHint()
    {
        using var tmp = new TempFolder();
        var r = CliRunner.Run("convert", Path.Combine(SharedData.RepoRoot, "samples", "astronaut.png"),
            "--background-plate", Path.Combine(SharedData.RepoRoot, "samples", "astronaut.png"),
            "--weights", Path.Combine(SharedData.RepoRoot, "models", "rvm_mobilenetv3", "model.json"), "--output-alpha", tmp.File("a.png"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("Robust Video Matting", r.StdErr);
        Assert.Contains("pytorch_resnet50.pth", r.StdErr);
    }

    [Fact]
    public void PlateOnlyOptionsNeedAPlate()
    {
        var r = CliRunner.Run("convert", "x.png", "--output-error", "e.png");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--output-error needs --background-plate", r.StdErr);
    }

    [SkippableFact]
    public void FolderOfFramesGivesEveryOutputAndMatchesTheLibrary()
    {
        SharedData.SkipIfMissing(Weights);
        SharedData.SkipIfMissing(Plates);
        using var tmp = new TempFolder();
        var input = tmp.File("in");
        Directory.CreateDirectory(input);
        foreach (var f in new[] { "frame_0100.png", "frame_0250.png" }) File.Copy(Path.Combine(Plates, f), Path.Combine(input, f));
        var r = CliRunner.Run("convert", input, "--background-plate", Path.Combine(Plates, "background.png"), "--weights", Weights,
            "--refine-mode", "thresholding", "--refine-threshold", "0.1", "--threads", "2",
            "--output-alpha", tmp.File("pha"), "--output-foreground", tmp.File("fgr"), "--output-composition", tmp.File("com"),
            "--output-error", tmp.File("err"), "--output-refined", tmp.File("ref"));
        _log.WriteLine(r.StdOut + r.StdErr);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("MobileNetV2", r.StdOut);
        foreach (var o in new[] { "pha", "fgr", "com", "err", "ref" })
            Assert.Equal(new[] { "frame_0100.png", "frame_0250.png" }, Directory.GetFiles(tmp.File(o)).Select(Path.GetFileName).Order());

        using var matter = PlateMatter.Load(Weights, new PlateMatterOptions { Threads = 2, RefineMode = MatteKit.RefineMode.Thresholding });
        var frame = PngFile.ReadRgb(Path.Combine(Plates, "frame_0250.png"));
        var plate = PngFile.ReadRgb(Path.Combine(Plates, "background.png"));
        var result = matter.Process(frame.Pixels, plate.Pixels, frame.Width, frame.Height);
        var alpha = new byte[frame.Width * frame.Height];
        result.AlphaToGray8(alpha);
        Assert.Equal(alpha, PngFile.ReadGray(Path.Combine(tmp.File("pha"), "frame_0250.png")).Pixels);
        var refined = PngFile.ReadGray(Path.Combine(tmp.File("ref"), "frame_0250.png")).Pixels;
        Assert.Equal(result.RefinedPatchCount * 16, refined.Count(v => v == 255));
        Assert.InRange(result.RefinedPatchCount, 1, result.PatchRows * result.PatchColumns - 1);
    }

    [SkippableFact]
    public void PlateOfAnotherSizeIsAnErrorUnlessResized()
    {
        SharedData.SkipIfMissing(Weights);
        using var tmp = new TempFolder();
        var frame = tmp.File("frame.png");
        var image = PngFile.ReadRgb(Path.Combine(Plates, "frame_0100.png"));
        PngFile.WriteRgb(frame, PlateMatteTestsSupport.Crop(image, 0, 0, 382, 190));
        var plate = Path.Combine(Plates, "background.png");

        var refused = CliRunner.Run("convert", frame, "--background-plate", plate, "--weights", Weights, "--output-alpha", tmp.File("a.png"));
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("768x576", refused.StdErr);
        Assert.Contains("--plate-resize", refused.StdErr);
        Assert.False(File.Exists(tmp.File("a.png")));

        var resized = CliRunner.Run("convert", frame, "--background-plate", plate, "--plate-resize", "--weights", Weights,
            "--output-alpha", tmp.File("a.png"), "--backbone-scale", "0.5");
        _log.WriteLine(resized.StdOut + resized.StdErr);
        Assert.Equal(0, resized.ExitCode);
        Assert.Contains("backbone scale 0.5", resized.StdOut);
        var alpha = PngFile.ReadGray(tmp.File("a.png"));
        Assert.Equal((382, 190), (alpha.Width, alpha.Height));
    }

    [SkippableFact]
    public void AutoPlateIsTheMedianWhenThePersonMoves()
    {
        SharedData.SkipIfMissing(Weights);
        using var tmp = new TempFolder();
        PlateClips.Write(tmp.File("clip"), 9, 110);
        var r = CliRunner.Run("convert", tmp.File("clip"), "--background-plate", "auto", "--weights", Weights,
            "--output-alpha", tmp.File("pha"), "--threads", "2");
        _log.WriteLine(r.StdOut + r.StdErr);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("temporal median of 9 of 9 frames", r.StdOut);
        Assert.Equal(9, Directory.GetFiles(tmp.File("pha")).Length);

        // The median is the empty scene itself.
        PlateClips.WriteBackground(tmp.File("bg.png"));
        var median = MatteKit.Conversion.TemporalMedianPlate.Build(new MatteKit.Conversion.ConvertOptions { Input = tmp.File("clip") }, out _);
        var background = PngFile.ReadRgb(tmp.File("bg.png")).Pixels;
        int off = median.Pixels.Zip(background).Count(p => Math.Abs(p.First - p.Second) > 2);
        _log.WriteLine($"median vs empty scene: {off} of {background.Length} values differ by more than 2");
        Assert.True(off < background.Length / 1000, $"{off} values differ");
    }

    [SkippableFact]
    public void VideoInputWithAutoPlateGivesVideoOutputs()
    {
        SharedData.SkipIfMissing(Weights);
        MediaTools.SkipIfMissing();
        using var tmp = new TempFolder();
        PlateClips.Write(tmp.File("clip"), 9, 110);
        // Nearly lossless, so the median is still the empty scene; 9 frames at 10 fps.
        MediaTools.Ffmpeg("-framerate", "10", "-i", Path.Combine(tmp.File("clip"), "%04d.png"), "-c:v", "libx264", "-crf", "4",
            "-pix_fmt", "yuv444p", tmp.File("clip.mp4"));
        var r = CliRunner.Run("convert", tmp.File("clip.mp4"), "--background-plate", "auto", "--weights", Weights,
            "--output-alpha", tmp.File("alpha.mp4"), "--output-refined", tmp.File("refined"), "--threads", "2");
        _log.WriteLine(r.StdOut + r.StdErr);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("temporal median of 9 of 9 frames", r.StdOut);
        var alpha = MediaTools.Video(tmp.File("alpha.mp4"));
        Assert.Equal(9, alpha.Frames);
        Assert.Equal(9, Directory.GetFiles(tmp.File("refined")).Length);
    }

    [SkippableFact]
    public void AutoPlateIsRefusedWhenThePersonStaysOrTheCameraMoves()
    {
        SharedData.SkipIfMissing(Weights);
        using var tmp = new TempFolder();
        PlateClips.Write(tmp.File("still"), 7, 0);
        var still = CliRunner.Run("convert", tmp.File("still"), "--background-plate", "auto", "--weights", Weights, "--output-alpha", tmp.File("a"));
        _log.WriteLine(still.StdErr);
        Assert.Equal(1, still.ExitCode);
        Assert.Contains("still contains a person", still.StdErr);
        Assert.False(Directory.Exists(tmp.File("a")));

        var moving = CliRunner.Run("convert", Path.Combine(PlateClips.SyntheticClip, "com"), "--background-plate", "auto", "--weights", Weights,
            "--output-alpha", tmp.File("b"));
        _log.WriteLine(moving.StdErr);
        Assert.Equal(1, moving.ExitCode);
        Assert.Contains("--background-plate auto", moving.StdErr);
        Assert.False(Directory.Exists(tmp.File("b")));
    }
}
