using System.Diagnostics;
using System.Text.RegularExpressions;
using MatteKit.Tests.TestSupport;
using MatteKit.Weights;
using Xunit.Abstractions;

namespace MatteKit.Tests.Training;

/// <summary>
/// <c>mattekit train</c> as a user runs it: weights that convert (and the official code) load, the report, exact
/// resume, Ctrl-C, and bad data refused in one line before training starts. Few steps at small sizes.
/// </summary>
[Trait("Needs", "shared")]
[Collection(TorchCollection.Name)]
public sealed partial class TrainCommandTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);
    private readonly ITestOutputHelper _log;

    public TrainCommandTests(ITestOutputHelper log) => _log = log;

    private static string[] Small(params string[] more) =>
        new[] { "--size", "128x128", "--seq-length", "2", "--threads", "2" }.Concat(more).ToArray();

    [SkippableFact]
    public void TrainWritesWeightsThatConvertRunsAndAReport()
    {
        using var temp = new TempFolder();
        var cutouts = TrainingSets.Cutouts(temp, "cutouts", "p3m_p_07141906");
        var backgrounds = TrainingSets.Backgrounds(temp, "bg", "skimage_coffee.png", "skimage_rocket_launch.jpg");
        var valid = TrainingSets.Compose(temp, "valid", cutouts, TrainingSets.Backgrounds(temp, "bg2", "opencv_leuven_street.jpg"), "128x72", 3);
        var output = temp.File("tuned.pth");
        var report = temp.File("report.html");
        // Through `mattekit train`, the way users reach the training program.
        var environment = new Dictionary<string, string> { ["MATTEKIT_TRAIN"] = Path.Combine(AppContext.BaseDirectory, CliRunner.Trainer) };
        var r = CliRunner.RunWithEnvironment(environment, new[] { "train", "--out", output, "--cutouts", cutouts, "--backgrounds", backgrounds,
            "--valid", valid, "--steps", "3", "--valid-every", "2", "--report", report }.Concat(Small()).ToArray());
        _log.WriteLine(r.StdOut + r.StdErr);
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.True(File.Exists(output) && File.Exists(Path.ChangeExtension(output, ".ckpt")));
        Assert.Matches("validation at step 2: MAD", r.StdErr);
        var html = File.ReadAllText(report);
        Assert.Contains("<svg", html);
        Assert.Contains("pha_laplacian", html);
        Assert.Equal(4, Regex.Matches(html, "data:image/png;base64").Count);

        var weights = PyTorchCheckpoint.Read(output);
        Assert.Equal(365, weights.Count); // 363 official keys of the fast-guided-filter network + project_seg
        var alpha = temp.File("alpha");
        var convert = CliRunner.Run("convert", Path.Combine(valid, Directory.GetDirectories(valid)[0], "com"), "--weights", output, "--output-alpha", alpha);
        Assert.True(convert.ExitCode == 0, convert.StdErr);
        Assert.Equal(3, Directory.GetFiles(alpha, "*.png").Length);

        // Resumed into a new --out, which does not hold the checkpoint's best weights: the best starts over, so the
        // run's validations write it (it used to say "wrote" and leave no file).
        var moved = temp.File("moved.pth");
        var m = CliRunner.RunTrainer(Limit, new[] { "--out", moved, "--cutouts", cutouts, "--backgrounds", backgrounds, "--valid", valid,
            "--steps", "4", "--valid-every", "2", "--resume", Path.ChangeExtension(output, ".ckpt") }.Concat(Small()).ToArray());
        _log.WriteLine(m.StdOut + m.StdErr);
        Assert.True(m.ExitCode == 0, m.StdErr);
        Assert.Contains($"{moved} does not hold the checkpoint's best validated weights", m.StdOut);
        Assert.True(File.Exists(moved), "--out written");
    }

    /// <summary>
    /// Every kind of data at once, with stage 3's high-resolution pass through the deep guided filter: clips in the
    /// evaluation layout and as VideoMatte240K lays them out, and segmentation images and mask sequences.
    /// </summary>
    [SkippableFact]
    public void TrainsOnClipsVideoMattesAndSegmentationWithTheHighResolutionPass()
    {
        using var temp = new TempFolder();
        var synthetic = SharedData.Path("media", "synthetic", "hair_over_campus_512x288");
        SharedData.SkipIfMissing(synthetic);
        var backgrounds = TrainingSets.Backgrounds(temp, "bg", "skimage_coffee.png");
        var videoMattes = temp.File("vm");
        foreach (var layer in new[] { "fgr", "pha" })
        {
            Directory.CreateDirectory(Path.Combine(videoMattes, layer));
            Directory.CreateSymbolicLink(Path.Combine(videoMattes, layer, "0000"), Path.Combine(synthetic, layer));
        }
        // Segmentation: a P3M photo with its alpha > 127 as the mask, and the synthetic clip's frames as a mask sequence.
        var segmentation = temp.File("seg");
        var image = Path.Combine(segmentation, "photo");
        Directory.CreateDirectory(image);
        File.CreateSymbolicLink(Path.Combine(image, "image.jpg"), Path.Combine(TrainingSets.Matting, "p3m_p_07141906", "image.jpg"));
        var alpha = MatteKit.Media.PngFile.ReadGray(Path.Combine(TrainingSets.Matting, "p3m_p_07141906", "alpha.png"));
        MatteKit.Media.PngWriter.WriteFile(Path.Combine(image, "mask.png"), alpha.Width, alpha.Height,
            alpha.Pixels.Select(a => a > 127 ? (byte)255 : (byte)0).ToArray(), 1, System.IO.Compression.CompressionLevel.Fastest);
        var sequence = Path.Combine(segmentation, "sequence");
        Directory.CreateDirectory(sequence);
        Directory.CreateSymbolicLink(Path.Combine(sequence, "images"), Path.Combine(synthetic, "com"));
        Directory.CreateSymbolicLink(Path.Combine(sequence, "masks"), Path.Combine(synthetic, "pha"));

        var output = temp.File("tuned.pth");
        var r = CliRunner.RunTrainer(Limit, "--out", output, "--clips", SharedData.Path("media", "synthetic"), "--clips", videoMattes,
            "--backgrounds", backgrounds, "--segmentation", segmentation, "--preset", "stage3", "--size", "128x128", "--seq-length", "2",
            "--hr-size", "256x256", "--hr-seq-length", "2", "--steps", "2", "--threads", "2", "--quiet");
        _log.WriteLine(r.StdOut + r.StdErr);
        Assert.True(r.ExitCode == 0, r.StdErr);
        var last = r.StdOut.Split('\n').Single(l => l.StartsWith("last losses"));
        Assert.Contains("hr_pha_l1", last);
        Assert.Contains("seg", last);
        // Stage 3 trains the deep guided filter: the weights have one, and convert runs it.
        var weights = PyTorchCheckpoint.Read(output);
        Assert.True(weights.Contains("refiner.box_filter.weight"));
        var convert = CliRunner.Run("convert", Path.Combine(synthetic, "com", "0000.png"), "--weights", output, "--downsample-ratio", "0.5",
            "--output-alpha", temp.File("alpha.png"));
        Assert.True(convert.ExitCode == 0, convert.StdErr);
    }

    [SkippableFact]
    public void ResumeContinuesExactlyWhereTheCheckpointStopped()
    {
        using var temp = new TempFolder();
        var cutouts = TrainingSets.Cutouts(temp, "cutouts", "p3m_p_07141906", "p3m_p_09ba26b4");
        var backgrounds = TrainingSets.Backgrounds(temp, "bg", "skimage_coffee.png", "skimage_rocket_launch.jpg");
        string straight = temp.File("straight.pth"), resumed = temp.File("resumed.pth");
        var data = new[] { "--cutouts", cutouts, "--backgrounds", backgrounds, "--quiet" };
        var a = CliRunner.RunTrainer(Limit, Small(data.Concat(new[] { "--out", straight, "--steps", "4" }).ToArray()));
        Assert.True(a.ExitCode == 0, a.StdErr);
        var b1 = CliRunner.RunTrainer(Limit, Small(data.Concat(new[] { "--out", resumed, "--steps", "2" }).ToArray()));
        Assert.True(b1.ExitCode == 0, b1.StdErr);
        var b2 = CliRunner.RunTrainer(Limit, Small(data.Concat(new[] { "--out", resumed, "--steps", "4", "--resume", Path.ChangeExtension(resumed, ".ckpt") }).ToArray()));
        Assert.True(b2.ExitCode == 0, b2.StdErr);
        Assert.Contains("resumed from", b2.StdOut);

        var x = PyTorchCheckpoint.Read(straight);
        var y = PyTorchCheckpoint.Read(resumed);
        int differing = x.Keys.Count(k => !x.Get(k).Data.AsSpan().SequenceEqual(y.Get(k).Data));
        _log.WriteLine($"4 steps straight vs 2 + 2 resumed: {differing} of {x.Count} tensors differ");
        Assert.Equal(0, differing);
        // And training moved the weights at all.
        var base_ = WeightsFile.LoadDefault();
        Assert.Contains(base_.Keys, k => !base_.Get(k).Data.AsSpan().SequenceEqual(x.Get(k).Data));
    }

    [SkippableFact]
    public void CtrlCWritesAResumableCheckpoint()
    {
        using var temp = new TempFolder();
        var cutouts = TrainingSets.Cutouts(temp, "cutouts", "p3m_p_07141906");
        var backgrounds = TrainingSets.Backgrounds(temp, "bg", "skimage_coffee.png");
        var output = temp.File("tuned.pth");
        using var p = CliRunner.StartProgram(new Dictionary<string, string>(), CliRunner.Trainer,
            Small("--out", output, "--cutouts", cutouts, "--backgrounds", backgrounds, "--steps", "100000"));
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = new System.Text.StringBuilder();
        var started = new ManualResetEventSlim();
        p.ErrorDataReceived += (_, e) => { if (e.Data is null) return; lock (stderr) stderr.AppendLine(e.Data); if (e.Data.StartsWith("step ")) started.Set(); };
        p.BeginErrorReadLine();
        try
        {
            Assert.True(started.Wait(TimeSpan.FromMinutes(2)), "training did not start: " + stderr);
            Thread.Sleep(1000);
            using (var kill = Process.Start("kill", new[] { "-INT", p.Id.ToString() })) kill.WaitForExit();
            Assert.True(p.WaitForExit(TimeSpan.FromMinutes(1)), "did not stop within a minute of SIGINT");
        }
        finally
        {
            if (!p.HasExited) p.Kill(entireProcessTree: true);
        }
        p.WaitForExit();
        _log.WriteLine(stdout.Result + stderr);
        Assert.Equal(130, p.ExitCode);
        Assert.False(File.Exists(output), "no finished weights after an interruption");
        var checkpoint = Path.ChangeExtension(output, ".ckpt");
        Assert.True(File.Exists(checkpoint));
        long done = long.Parse(StepsDone().Match(stdout.Result).Groups[1].Value);
        Assert.True(done >= 1);
        Assert.Empty(Directory.GetFiles(temp.Path, ".*partial*"));

        var resumed = CliRunner.RunTrainer(Limit, Small("--out", output, "--cutouts", cutouts, "--backgrounds", backgrounds,
            "--steps", (done + 1).ToString(), "--resume", checkpoint, "--quiet"));
        Assert.True(resumed.ExitCode == 0, resumed.StdErr);
        Assert.Contains($"resumed from {checkpoint} at step {done}", resumed.StdOut);
        Assert.True(File.Exists(output));

        // A checkpoint of another training size is refused by name, not resumed into a different run.
        var other = CliRunner.RunTrainer(Limit, "--out", output, "--cutouts", cutouts, "--backgrounds", backgrounds, "--size", "160x160",
            "--seq-length", "2", "--steps", (done + 2).ToString(), "--resume", checkpoint, "--quiet");
        Assert.Equal(1, other.ExitCode);
        Assert.Contains("resume with the same --preset, --size", other.StdErr);
    }

    public static IEnumerable<object[]> BadData() => new[]
    {
        new object[] { "missing alpha", "needs image.jpg (or image.png) and alpha.png" },
        new object[] { "empty folder", "holds no cut-outs" },
        new object[] { "image smaller than the crop", "smaller than the training size" },
        new object[] { "mismatched frame counts", "3 alpha frames but 2 foreground frames" },
        new object[] { "mismatched sizes", "but the clip's frames are" },
        new object[] { "no background for cut-outs", "give --backgrounds DIR" },
        new object[] { "no background for clips without a composite", "clip clip has no composite (com/), so it is composited over backgrounds: give --backgrounds DIR" },
    };

    [SkippableTheory]
    [MemberData(nameof(BadData))]
    public void BadDataIsOneClearLineBeforeTraining(string defect, string expected)
    {
        using var temp = new TempFolder();
        var backgrounds = TrainingSets.Backgrounds(temp, "bg", "skimage_coffee.png");
        var data = temp.File("data");
        Directory.CreateDirectory(data);
        string[] args;
        switch (defect)
        {
            case "missing alpha":
                Directory.CreateDirectory(Path.Combine(data, "person"));
                File.Copy(Path.Combine(TrainingSets.Matting, "p3m_p_07141906", "image.jpg"), Path.Combine(data, "person", "image.jpg"));
                args = new[] { "--cutouts", data, "--backgrounds", backgrounds };
                break;
            case "empty folder":
                args = new[] { "--cutouts", data, "--backgrounds", backgrounds };
                break;
            case "image smaller than the crop":
                // Just above the 1080x1080 cut-out: a size whose step fits in memory (4096x4096 is refused for that first).
                args = new[] { "--cutouts", TrainingSets.Cutouts(temp, "c", "p3m_p_07141906"), "--backgrounds", backgrounds, "--size", "1088x1088" };
                break;
            case "mismatched frame counts":
            case "mismatched sizes":
                var clip = Path.Combine(data, "clip");
                foreach (var layer in new[] { "fgr", "pha" }) Directory.CreateDirectory(Path.Combine(clip, layer));
                for (int i = 0; i < 3; i++)
                {
                    int w = defect == "mismatched sizes" && i == 2 ? 164 : 160;
                    if (i < 2 || defect == "mismatched sizes") MatteKit.Media.PngFile.WriteRgb(Path.Combine(clip, "fgr", $"{i:D4}.png"), w, 160, new byte[w * 160 * 3]);
                    MatteKit.Media.PngWriter.WriteFile(Path.Combine(clip, "pha", $"{i:D4}.png"), w, 160, new byte[w * 160], 1, System.IO.Compression.CompressionLevel.Fastest);
                }
                args = new[] { "--clips", data, "--backgrounds", backgrounds, "--steps", "3" };
                break;
            case "no background for clips without a composite":
                var bare = Path.Combine(data, "clip");
                foreach (var layer in new[] { "fgr", "pha" }) Directory.CreateDirectory(Path.Combine(bare, layer));
                MatteKit.Media.PngFile.WriteRgb(Path.Combine(bare, "fgr", "0000.png"), 160, 160, new byte[160 * 160 * 3]);
                MatteKit.Media.PngWriter.WriteFile(Path.Combine(bare, "pha", "0000.png"), 160, 160, new byte[160 * 160], 1, System.IO.Compression.CompressionLevel.Fastest);
                args = new[] { "--clips", data };
                break;
            default:
                args = new[] { "--cutouts", TrainingSets.Cutouts(temp, "c", "p3m_p_07141906") };
                break;
        }
        var output = temp.File("out.pth");
        var all = new[] { "--out", output, "--quiet" }.Concat(args).ToList();
        if (!all.Contains("--size")) all.AddRange(new[] { "--size", "128x128" });
        if (!all.Contains("--steps")) all.AddRange(new[] { "--steps", "1" });
        var r = CliRunner.RunTrainer(Limit, all.Concat(new[] { "--seq-length", "2" }).ToArray());
        _log.WriteLine($"{defect}: exit {r.ExitCode}: {r.StdErr.Trim()}");
        Assert.Equal(1, r.ExitCode);
        Assert.Single(r.StdErr.Trim().Split('\n'));
        Assert.Contains(expected, r.StdErr);
        Assert.False(File.Exists(output));
    }

    [Theory]
    [InlineData("--out x.txt --steps 1 --clips .", "--out x.txt: must end in .pth")]
    [InlineData("--out x.pth --steps 1 --minutes 2 --clips .", "give one budget, not both")]
    [InlineData("--out x.pth --clips .", "give a budget")]
    [InlineData("--out x.pth --steps 1 --threads 999 --clips .", "--threads 999: expected 1 to")]
    [InlineData("--out x.pth --steps 1 --preset stage9 --clips .", "--preset stage9: expected one of finetune, stage1")]
    [InlineData("--out x.pth --steps 1 --size 64x64 --clips .", "--size must be WxH (e.g. 1280x720) with both sides from 128")]
    [InlineData("--out x.pth --steps 1 --seq-length 1000 --clips .", "--seq-length 1000: expected 1 to 100")]
    public void UsageErrorsExitWithTwo(string arguments, string expected)
    {
        var r = CliRunner.RunTrainer(Limit, arguments.Split(' '));
        _log.WriteLine(r.StdErr);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(expected, r.StdErr);
    }

    /// <summary>
    /// A .pth written by train loads in the official PyTorch code with strict=True and its eval output equals
    /// MatteKit's graph on the same weights. Needs Debian's python3-torch and the official repository's code
    /// (MATTEKIT_RVM_CODE: the folder holding model/).
    /// </summary>
    [SkippableFact]
    public void OfficialCodeLoadsTrainedWeightsStrictly()
    {
        var code = Environment.GetEnvironmentVariable("MATTEKIT_RVM_CODE");
        Skip.If(code is null || !Directory.Exists(Path.Combine(code, "model")), "set MATTEKIT_RVM_CODE to a checkout of the official RobustVideoMatting code to run this check");
        Skip.IfNot(File.Exists("/usr/bin/python3") && Process.Start(new ProcessStartInfo("/usr/bin/python3", "-c \"import torch\"") { RedirectStandardError = true })!.WaitForExitAndCode() == 0,
            "Debian's python3-torch is not installed");
        using var temp = new TempFolder();
        var cutouts = TrainingSets.Cutouts(temp, "cutouts", "p3m_p_07141906");
        var backgrounds = TrainingSets.Backgrounds(temp, "bg", "skimage_coffee.png");
        var output = temp.File("tuned.pth");
        var r = CliRunner.RunTrainer(Limit, Small("--out", output, "--cutouts", cutouts, "--backgrounds", backgrounds, "--steps", "2", "--quiet"));
        Assert.True(r.ExitCode == 0, r.StdErr);
        var script = $"import sys; sys.path.insert(0, {Quote(code!)}); import torch; from model import MattingNetwork; " +
                     $"m = MattingNetwork('mobilenetv3', refiner='fast_guided_filter'); print(m.load_state_dict(torch.load({Quote(output)}), strict=True))";
        var psi = new ProcessStartInfo("/usr/bin/python3") { ArgumentList = { "-c", script }, RedirectStandardOutput = true, RedirectStandardError = true };
        using var python = Process.Start(psi)!;
        string stdout = python.StandardOutput.ReadToEnd(), stderr = python.StandardError.ReadToEnd();
        python.WaitForExit();
        _log.WriteLine(stdout + stderr);
        Assert.True(python.ExitCode == 0, stderr);
        Assert.Contains("All keys matched successfully", stdout);
    }

    private static string Quote(string s) => "'" + s.Replace("\\", "\\\\").Replace("'", "\\'") + "'";

    [GeneratedRegex(@"^(\d+) steps in", RegexOptions.Multiline)]
    private static partial Regex StepsDone();
}

internal static class ProcessExtensions
{
    public static int WaitForExitAndCode(this Process p)
    {
        p.WaitForExit();
        return p.ExitCode;
    }
}
