using System.Diagnostics;
using MatteKit.Evaluation;
using MatteKit.Inference;
using MatteKit.Media;
using MatteKit.Metrics;
using MatteKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace MatteKit.Tests.Evaluation;

/// <summary>
/// The user's path: compose clips with exact ground truth from shared/media, matte them with <c>mattekit convert</c>,
/// score them with <c>mattekit evaluate</c>, and compare with two trivial baselines: an all-zero alpha, and the same
/// network with its recurrent state reset before every frame (no temporal memory).
/// </summary>
[Trait("Needs", "shared")]
public class EvaluateEndToEndTests(ITestOutputHelper output)
{
    private static readonly string[] PersonFreeBackgrounds =
    [
        "backgrounds/images/opencv_leuven_street.jpg",
        "backgrounds/videos/caminandes_animated_360p.mp4",
        "plates/pedestrians_static_cam_576p/background.png",
    ];

    [SkippableFact]
    public void Composed_clips_matted_by_convert_score_far_below_the_baselines()
    {
        var matting = SharedData.Path("media", "matting");
        SharedData.SkipIfMissing(matting);
        foreach (var b in PersonFreeBackgrounds) SharedData.SkipIfMissing(SharedData.Path("media", b));
        Skip.IfNot(FfmpegOnPath(), "ffmpeg is not on PATH (compose-dataset decodes JPEG stills and videos with it)");

        using var temp = new TempFolder();
        var backgrounds = Directory.CreateDirectory(temp.File("backgrounds")).FullName;
        foreach (var b in PersonFreeBackgrounds)
            File.CreateSymbolicLink(Path.Combine(backgrounds, Path.GetFileName(b)), SharedData.Path("media", b));
        var truth = temp.File("true");
        var compose = CliRunner.Run("compose-dataset", "--foregrounds", matting, "--backgrounds", backgrounds, "--out", truth,
            "--size", "512x288", "--frames", "8", "--clips", "3", "--quiet");
        Assert.True(compose.ExitCode == 0, compose.StdErr);

        var clips = Directory.GetDirectories(truth).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(3, clips.Count);
        var predicted = Directory.CreateDirectory(temp.File("pred")).FullName;
        foreach (var clip in clips)
        {
            var folder = Directory.CreateDirectory(Path.Combine(predicted, clip!)).FullName;
            var convert = CliRunner.Run("convert", Path.Combine(truth, clip!, "com"),
                "--output-alpha", Path.Combine(folder, "pha"), "--output-foreground", Path.Combine(folder, "fgr"), "--quiet");
            Assert.True(convert.ExitCode == 0, convert.StdErr);
        }

        var json = temp.File("scores.json");
        var report = temp.File("report.html");
        var evaluate = CliRunner.Run("evaluate", "--pred", predicted, "--true", truth, "--json", json, "--report", report);
        Assert.True(evaluate.ExitCode == 0, evaluate.StdErr);
        output.WriteLine("mattekit evaluate (recurrent, as convert runs it):");
        output.WriteLine(evaluate.StdOut);
        Assert.Contains("\"MAD\"", File.ReadAllText(json));
        Assert.Contains("<svg", File.ReadAllText(report));

        var model = MatteEvaluator.Evaluate(predicted, truth).Mean;
        var zero = MatteEvaluator.Evaluate(WriteZeroAlpha(truth, temp.File("zero")), truth);
        var perFrame = MatteEvaluator.Evaluate(WritePerFrameAlpha(truth, temp.File("per_frame")), truth);
        output.WriteLine("all-zero alpha baseline:");
        output.WriteLine(ScoresTable.ToText(zero));
        output.WriteLine("per-frame baseline (state reset before every frame):");
        output.WriteLine(ScoresTable.ToText(perFrame));

        Assert.True(model.Mad < zero.Mean.Mad / 10, $"MAD {model.Mad:F2} vs all-zero {zero.Mean.Mad:F2}");
        Assert.True(model.DtSsd < zero.Mean.DtSsd / 2, $"dtSSD {model.DtSsd:F2} vs all-zero {zero.Mean.DtSsd:F2}");
        Assert.True(model.Mad < perFrame.Mean.Mad, $"MAD {model.Mad:F2} vs per-frame {perFrame.Mean.Mad:F2}");
        Assert.True(model.DtSsd < perFrame.Mean.DtSsd, $"dtSSD {model.DtSsd:F2} vs per-frame {perFrame.Mean.DtSsd:F2}");
    }

    private static string WriteZeroAlpha(string truth, string folder)
    {
        foreach (var clip in Directory.GetDirectories(truth))
        {
            var pha = Directory.CreateDirectory(Path.Combine(folder, Path.GetFileName(clip), "pha")).FullName;
            foreach (var f in ImageSequence.ListPngFiles(Path.Combine(clip, "pha")))
            {
                var (w, h, _) = PngFile.ReadGray(f);
                PngFile.WriteGray(Path.Combine(pha, Path.GetFileName(f)), w, h, new byte[w * h]);
            }
        }
        return folder;
    }

    private static string WritePerFrameAlpha(string truth, string folder)
    {
        using var matter = VideoMatter.Load();
        foreach (var clip in Directory.GetDirectories(truth))
        {
            var pha = Directory.CreateDirectory(Path.Combine(folder, Path.GetFileName(clip), "pha")).FullName;
            foreach (var f in ImageSequence.ListPngFiles(Path.Combine(clip, "com")))
            {
                var image = PngFile.ReadRgb(f);
                matter.Reset();
                var alpha = new byte[image.Width * image.Height];
                matter.Process(image.Pixels, image.Width, image.Height).AlphaToGray8(alpha);
                PngFile.WriteGray(Path.Combine(pha, Path.GetFileName(f)), image.Width, image.Height, alpha);
            }
        }
        return folder;
    }

    private static bool FfmpegOnPath()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("ffmpeg", "-version") { RedirectStandardOutput = true, UseShellExecute = false });
            p!.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
