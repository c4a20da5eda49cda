using MatteKit.Bgm;
using MatteKit.Tests.TestSupport;
using MatteKit.Training.Bgm;
using MatteKit.Weights;
using Xunit.Abstractions;
using static TorchSharp.torch;
using PatchRefiner = MatteKit.Training.Bgm.PatchRefiner;

namespace MatteKit.Tests.Training;

/// <summary>
/// <c>mattekit train --model bgmv2</c> as a user runs it: a few steps at a small size write a <c>MattingBase</c>
/// state dict with the official keys (--stage base, from no weights and from official weights) or a whole
/// <c>MattingRefine</c> one that <c>mattekit convert --background-plate</c> runs (--stage refine, both stages), and
/// what it does not do is refused in one line before any data loads.
/// </summary>
[Trait("Needs", "shared")]
[Collection(TorchCollection.Name)]
public sealed class BgmTrainCommandTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);
    private readonly ITestOutputHelper _log;

    public BgmTrainCommandTests(ITestOutputHelper log) => _log = log;

    [SkippableFact]
    public void BaseStageWritesTheOfficialMattingBaseStateDict()
    {
        var official = SharedData.Path("models", "bgmv2_mobilenetv2_synthetic.pth");
        SharedData.SkipIfMissing(official);
        using var temp = new TempFolder();
        var cutouts = TrainingSets.Cutouts(temp, "cutouts", "p3m_p_07141906");
        var backgrounds = TrainingSets.Backgrounds(temp, "bg", "skimage_coffee.png", "skimage_rocket_launch.jpg");
        var fresh = temp.File("fresh.pth");
        var r = CliRunner.RunTrainer(Limit, "--model", "bgmv2", "--stage", "base", "--out", fresh, "--cutouts", cutouts, "--backgrounds", backgrounds,
            "--steps", "3", "--size", "128x128", "--threads", "2");
        _log.WriteLine(r.StdOut + r.StdErr);
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("3 steps in", r.StdOut);
        Assert.Contains("default initialisation", r.StdOut);
        Assert.Contains("its stem filters set to see the frame minus the plate, and it learns at scratch rates: base stage backbone 0.0009, aspp 0.0015, decoder 0.0015, refiner 0\n", r.StdOut);
        Assert.Contains("rates backbone 0.0009, aspp 0.0015, decoder 0.0015", r.StdOut);

        // From official weights (a whole MattingRefine state dict: its refiner is not trained in this stage).
        var tuned = temp.File("tuned.pth");
        r = CliRunner.RunTrainer(Limit, "--model", "bgmv2", "--stage", "base", "--weights", official, "--out", tuned, "--cutouts", cutouts, "--backgrounds", backgrounds,
            "--steps", "2", "--size", "128x128", "--threads", "2", "--quiet");
        _log.WriteLine(r.StdOut + r.StdErr);
        Assert.True(r.ExitCode == 0, r.StdErr);

        var officialKeys = PyTorchCheckpoint.Read(official).Keys.Where(k => !k.StartsWith("refiner.", StringComparison.Ordinal)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        using var scope = NewDisposeScope();
        foreach (var path in new[] { fresh, tuned })
        {
            var written = PyTorchCheckpoint.Read(path);
            Assert.Equal(officialKeys, written.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList());
            Assert.Empty(BgmNetworkWeights.Load(new BgmMattingNetwork(BgmBackbone.MobileNetV2, refiner: null), written));
            // The official train_refine.py starts the whole network from it, the refiner fresh.
            Assert.All(BgmNetworkWeights.Load(WholeNetwork(), written), k => Assert.StartsWith("refiner.", k));
        }
        // Training moved the official weights.
        var before = PyTorchCheckpoint.Read(official).Get("decoder.conv4.weight").Data;
        var after = PyTorchCheckpoint.Read(tuned).Get("decoder.conv4.weight").Data;
        Assert.False(before.AsSpan().SequenceEqual(after));
    }

    /// <summary>
    /// --stage refine from a base stage's output: the whole network (the refiner fresh) trains with the refine rates
    /// at 4 times --size by default, and --out holds the official MattingRefine keys, which plate mode runs.
    /// </summary>
    [SkippableFact]
    public void RefineStageWritesAWholeNetworkThatPlateModeRuns()
    {
        var official = SharedData.Path("models", "bgmv2_mobilenetv2_synthetic.pth");
        SharedData.SkipIfMissing(official);
        using var temp = new TempFolder();
        var cutouts = TrainingSets.Cutouts(temp, "cutouts", "p3m_p_07141906");
        var backgrounds = TrainingSets.Backgrounds(temp, "bg", "skimage_coffee.png", "skimage_rocket_launch.jpg");
        var basePth = temp.File("base.pth");
        var r = CliRunner.RunTrainer(Limit, "--model", "bgmv2", "--stage", "base", "--out", basePth, "--cutouts", cutouts, "--backgrounds", backgrounds,
            "--steps", "2", "--size", "128x128", "--threads", "2", "--quiet");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("MattingBase", r.StdOut);

        var refined = temp.File("refined.pth");
        r = CliRunner.RunTrainer(Limit, "--model", "bgmv2", "--stage", "refine", "--weights", basePth, "--out", refined, "--cutouts", cutouts,
            "--backgrounds", backgrounds, "--steps", "2", "--size", "128x128", "--threads", "2");
        _log.WriteLine(r.StdOut + r.StdErr);
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("refine stage: 2 steps in", r.StdOut);
        // Each batch randomly cropped as train_refine.py does: each side from half the size to just under it, multiples of 4.
        var crops = System.Text.RegularExpressions.Regex.Match(r.StdOut, @"batch 2 of 512x512 randomly cropped \(widths (\d+)-(\d+), heights (\d+)-(\d+), mean area \d+ pixels\) \(the base network at a quarter of each crop");
        Assert.True(crops.Success, r.StdOut);
        Assert.All(crops.Groups.Values.Skip(1).Select(g => int.Parse(g.Value)), side =>
        {
            Assert.InRange(side, 256, 508);
            Assert.Equal(0, side % 4);
        });
        Assert.Contains("(--weights has none): refiner.conv1, refiner.bn1", r.StdOut);
        Assert.DoesNotContain("base stage", r.StdOut);
        Assert.Contains("MattingRefine", r.StdOut);
        var written = PyTorchCheckpoint.Read(refined);
        Assert.Equal(PyTorchCheckpoint.Read(official).Keys.Order(StringComparer.Ordinal), written.Keys.Order(StringComparer.Ordinal));
        using (NewDisposeScope()) Assert.Empty(BgmNetworkWeights.Load(WholeNetwork(), written));

        var frames = TrainingSets.Compose(temp, "frames", cutouts, backgrounds, "160x128", 1);
        var clip = Directory.GetDirectories(frames).Single();
        var alpha = temp.File("alpha.png");
        var c = CliRunner.Run("convert", Path.Combine(clip, "com", "0000.png"), "--background-plate", Path.Combine(clip, "bgr", "0000.png"),
            "--weights", refined, "--output-alpha", alpha, "--threads", "2");
        _log.WriteLine(c.StdOut + c.StdErr);
        Assert.True(c.ExitCode == 0, c.StdErr);
        Assert.Contains("BackgroundMattingV2 MobileNetV2", c.StdOut);
        var image = MatteKit.Media.PngFile.ReadGray(alpha);
        Assert.Equal((160, 128), (image.Width, image.Height));
    }

    /// <summary>Ctrl-C (SIGINT) during training: the step under way finishes, the weights so far go to --out, exit 130.</summary>
    [SkippableFact]
    public void InterruptWritesTheWeightsSoFar()
    {
        using var temp = new TempFolder();
        var cutouts = TrainingSets.Cutouts(temp, "cutouts", "p3m_p_07141906");
        var backgrounds = TrainingSets.Backgrounds(temp, "bg", "skimage_coffee.png");
        var output = temp.File("stopped.pth");
        using var p = CliRunner.StartProgram(new Dictionary<string, string>(), CliRunner.Trainer, new[] { "--model", "bgmv2", "--out", output,
            "--cutouts", cutouts, "--backgrounds", backgrounds, "--steps", "100000", "--size", "128x128", "--hr-size", "256x256", "--threads", "2" });
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = new System.Text.StringBuilder();
        using var started = new ManualResetEventSlim();
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (stderr) stderr.AppendLine(e.Data);
            if (e.Data.StartsWith("step ", StringComparison.Ordinal)) started.Set();
        };
        p.BeginErrorReadLine();
        try
        {
            Assert.True(started.Wait(TimeSpan.FromMinutes(2)), "training did not start: " + stderr);
            using (var kill = System.Diagnostics.Process.Start("kill", new[] { "-INT", p.Id.ToString() })) kill.WaitForExit();
            Assert.True(p.WaitForExit(TimeSpan.FromMinutes(1)), "did not exit within a minute: " + stderr);
        }
        finally
        {
            if (!p.HasExited) p.Kill(entireProcessTree: true);
        }
        p.WaitForExit();
        string err;
        lock (stderr) err = stderr.ToString();
        _log.WriteLine(stdout.Result + err);
        Assert.Equal(130, p.ExitCode);
        Assert.Matches("stopped at step [1-9][0-9]*; the weights so far are in .*MattingRefine", err);
        Assert.Contains("writing the weights so far to --out", err);
        // Without --stage the run trains both stages, so --out holds the whole network even when stopped in the base stage.
        Assert.Contains("stopped in the base stage", stdout.Result);
        using (NewDisposeScope()) Assert.Empty(BgmNetworkWeights.Load(WholeNetwork(), PyTorchCheckpoint.Read(output)));

        // Resumed with a budget whose first half ends one step later: that base step, then the refine stage.
        int done = int.Parse(System.Text.RegularExpressions.Regex.Match(err, "stopped at step ([0-9]+)").Groups[1].Value);
        var checkpoint = Path.ChangeExtension(output, ".ckpt");
        Assert.Contains($"checkpoint {checkpoint} (continue with --resume", err);
        var resumed = CliRunner.RunTrainer(Limit, "--model", "bgmv2", "--out", output, "--cutouts", cutouts, "--backgrounds", backgrounds,
            "--steps", (2 * done + 2).ToString(), "--size", "128x128", "--hr-size", "256x256", "--threads", "2", "--resume", checkpoint, "--quiet");
        _log.WriteLine(resumed.StdOut + resumed.StdErr);
        Assert.True(resumed.ExitCode == 0, resumed.StdErr);
        Assert.Contains($"resumed from {checkpoint} at step {done} (base stage)", resumed.StdOut);
        Assert.Contains("base stage: 1 steps this run", resumed.StdOut);
        Assert.Contains($"refine stage: {done + 1} steps this run", resumed.StdOut);
        // The run started from no weights, so the refine stage's fresh Adam, after a resume in the base stage, learns at the scratch rates.
        Assert.Contains("rates backbone 0.00045, aspp 0.00015, decoder 0.0003, refiner 0.0009", resumed.StdOut);

        // A header whose FromScratch is gone (a field renamed: read as false) no longer says the rates its Adam ran at: refused.
        var edited = temp.File("edited.ckpt");
        var bytes = File.ReadAllBytes(checkpoint);
        int at = bytes.AsSpan().IndexOf("\"FromScratch\":true"u8);
        Assert.True(at > 0, "the checkpoint's header holds FromScratch");
        bytes[at + 11] = (byte)'x';
        File.WriteAllBytes(edited, bytes);
        var refused = CliRunner.RunTrainer(Limit, "--model", "bgmv2", "--out", temp.File("e.pth"), "--cutouts", cutouts, "--backgrounds", backgrounds,
            "--steps", (2 * done + 4).ToString(), "--size", "128x128", "--hr-size", "256x256", "--threads", "2", "--resume", edited, "--quiet");
        AssertOneLine(refused, 1, "Adam's rates are not those of the header's FromScratch (False): edited");

        // A checkpoint of another stage or size is refused by name, not resumed into a different run.
        var other = CliRunner.RunTrainer(Limit, "--model", "bgmv2", "--stage", "refine", "--out", output, "--cutouts", cutouts, "--backgrounds", backgrounds,
            "--steps", "100", "--size", "128x128", "--hr-size", "256x256", "--resume", checkpoint, "--quiet");
        Assert.True(other.ExitCode == 1, other.StdErr);
        Assert.Contains("resume with the same --stage, --backbone, --size and --hr-size", other.StdErr);
    }

    /// <summary>
    /// With --valid, --out holds the weights that scored best as the network --out holds, the checkpoint the last
    /// ones and the best score, so that a resumed run keeps them. From the official weights a base step first scores
    /// worse on this pair: --out keeps the official (step 0) weights through a run and its resumption, while the
    /// checkpoint goes on from step 2. In a run of both stages only the whole network's scores count, however much
    /// better the base network scored.
    /// </summary>
    [SkippableFact]
    public void OutHoldsTheBestValidatedWeightsAndTheCheckpointTheLast()
    {
        var official = SharedData.Path("models", "bgmv2_mobilenetv2_synthetic.pth");
        SharedData.SkipIfMissing(official);
        using var temp = new TempFolder();
        var cutouts = TrainingSets.Cutouts(temp, "cutouts", "p3m_p_07141906");
        var backgrounds = TrainingSets.Backgrounds(temp, "bg", "skimage_coffee.png", "skimage_rocket_launch.jpg");
        var valid = TrainingSets.Compose(temp, "valid", TrainingSets.Cutouts(temp, "other", "p3m_p_09ba26b4"),
            TrainingSets.Backgrounds(temp, "unseen", "opencv_leuven_street.jpg"), "128x128", 1);
        string output = temp.File("best.pth"), last = temp.File("last.pth"), checkpoint = Path.ChangeExtension(output, ".ckpt");
        // --stage base, or both stages (null).
        string[] Args(string? stage, string o, int steps) => (stage is null ? Array.Empty<string>() : new[] { "--stage", stage }).Concat(new[] { "--model", "bgmv2",
            "--weights", official, "--out", o, "--cutouts", cutouts, "--backgrounds", backgrounds, "--steps", steps.ToString(), "--size", "128x128", "--threads", "2", "--quiet" })
            .Concat(stage is null ? new[] { "--hr-size", "256x256" } : Array.Empty<string>()).ToArray();
        string[] Validated(string[] args) => args.Concat(new[] { "--valid", valid, "--valid-every", "1" }).ToArray();

        var a = CliRunner.RunTrainer(Limit, Validated(Args("base", output, 1)));
        _log.WriteLine(a.StdOut + a.StdErr);
        Assert.True(a.ExitCode == 0, a.StdErr);
        var b = CliRunner.RunTrainer(Limit, Validated(Args("base", output, 2)).Concat(new[] { "--resume", checkpoint }).ToArray());
        _log.WriteLine(b.StdOut + b.StdErr);
        Assert.True(b.ExitCode == 0, b.StdErr);
        var mads = ValidationMads(a.StdErr + b.StdErr);
        Assert.Equal(new long[] { 0, 1, 2 }, mads.Select(m => m.Step));
        Assert.True(mads[1].Mad > mads[0].Mad && mads[2].Mad > mads[0].Mad, "this check needs steps that score worse than the official weights: " + a.StdErr + b.StdErr);
        Assert.Contains($"(best so far: written to {output})", a.StdErr);
        Assert.DoesNotContain("best so far", b.StdErr);
        Assert.Contains($"--out holds the weights of step 0, the best of the base network's validations (MAD {mads[0].Mad:F3})", b.StdOut);

        // --out: the official weights, untouched by the two steps; the checkpoint: the weights after step 2, the best score.
        var officialWeights = PyTorchCheckpoint.Read(official);
        var written = PyTorchCheckpoint.Read(output);
        Assert.All(written.Keys, k => Assert.True(officialWeights.Get(k).Data.AsSpan().SequenceEqual(written.Get(k).Data), k));
        var r = CliRunner.RunTrainer(Limit, Args("base", last, 2));
        Assert.True(r.ExitCode == 0, r.StdErr);
        var straight = PyTorchCheckpoint.Read(last);
        using (NewDisposeScope())
        {
            var network = new BgmMattingNetwork(BgmBackbone.MobileNetV2, refiner: null);
            var (header, optimizer, _) = MatteKit.Training.Runs.BgmCheckpoint.Read(checkpoint, null, network,
                _ => new MatteKit.Training.Optimization.BgmOptimizer(network, MatteKit.Training.Optimization.BgmOptimizer.OfficialBase, trainsRefiner: false));
            optimizer.Dispose();
            Assert.Equal((2L, 0L), (header.Step, header.BestStep));
            Assert.Equal(mads[0].Mad, header.BestMad, 3);
            var state = network.state_dict();
            Assert.All(straight.Keys, k => Assert.True(straight.Get(k).Data.AsSpan().SequenceEqual(state[k].to_type(ScalarType.Float32).data<float>().ToArray()), k));
            Assert.False(straight.Get("decoder.conv4.weight").Data.AsSpan().SequenceEqual(written.Get("decoder.conv4.weight").Data));
        }

        // Resumed into a new --out: the checkpoint's best (step 0) is not there, so the best starts over and the next
        // validation writes it (it used to say "wrote" and leave no file).
        var moved = temp.File("moved.pth");
        var m = CliRunner.RunTrainer(Limit, Validated(Args("base", moved, 3)).Concat(new[] { "--resume", checkpoint }).ToArray());
        _log.WriteLine(m.StdOut + m.StdErr);
        Assert.True(m.ExitCode == 0, m.StdErr);
        Assert.Contains($"{moved} does not hold the checkpoint's best validated weights (step 0)", m.StdOut);
        Assert.Contains($"(best so far: written to {moved})", m.StdErr);
        Assert.True(File.Exists(moved), "--out written");

        // Both stages: the base network's scores (steps 0 and 1) do not count for the whole network --out holds.
        var both = temp.File("both.pth");
        var c = CliRunner.RunTrainer(Limit, Validated(Args(null, both, 2)));
        _log.WriteLine(c.StdOut + c.StdErr);
        Assert.True(c.ExitCode == 0, c.StdErr);
        Assert.Contains("validation at step 1 (base network)", c.StdErr);
        Assert.Contains("validation at step 2 (whole network)", c.StdErr);
        Assert.Contains("--out holds the weights of step 2, the best of the whole network's validations", c.StdOut);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(c.StdErr, "best so far"));
    }

    private static List<(long Step, double Mad)> ValidationMads(string log) =>
        System.Text.RegularExpressions.Regex.Matches(log, @"validation at step (\d+) \([a-z ]+\): MAD ([\d.]+)")
            .Select(m => (long.Parse(m.Groups[1].Value), double.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture))).ToList();

    /// <summary>
    /// 4 steps straight and 2 + 2 resumed give the same tensors (ASPP's dropout, Adam and the data stream resumed), in
    /// the refine stage and in the base stage, which from no weights learns at its own rates (kept in the checkpoint).
    /// </summary>
    [SkippableTheory]
    [InlineData("refine")]
    [InlineData("base")]
    public void ResumeContinuesExactlyWhereTheCheckpointStopped(string stage)
    {
        using var temp = new TempFolder();
        var cutouts = TrainingSets.Cutouts(temp, "cutouts", "p3m_p_07141906");
        var backgrounds = TrainingSets.Backgrounds(temp, "bg", "skimage_coffee.png", "skimage_rocket_launch.jpg");
        string straight = temp.File("straight.pth"), resumed = temp.File("resumed.pth");
        string[] Args(string output, int steps) => new[] { "--model", "bgmv2", "--stage", stage, "--out", output, "--cutouts", cutouts,
            "--backgrounds", backgrounds, "--steps", steps.ToString(), "--size", "128x128", "--threads", "2", "--quiet" }
            .Concat(stage == "refine" ? new[] { "--hr-size", "256x256" } : Array.Empty<string>()).ToArray();
        var a = CliRunner.RunTrainer(Limit, Args(straight, 4));
        Assert.True(a.ExitCode == 0, a.StdErr);
        var b1 = CliRunner.RunTrainer(Limit, Args(resumed, 2));
        Assert.True(b1.ExitCode == 0, b1.StdErr);
        var b2 = CliRunner.RunTrainer(Limit, Args(resumed, 4).Concat(new[] { "--resume", Path.ChangeExtension(resumed, ".ckpt") }).ToArray());
        _log.WriteLine(b2.StdOut + b2.StdErr);
        Assert.True(b2.ExitCode == 0, b2.StdErr);
        Assert.Contains("resumed from", b2.StdOut);
        Assert.Contains($"{stage} stage: 2 steps this run", b2.StdOut);
        // From no weights, at the scratch rates in the resumed run too.
        Assert.Contains(stage == "base" ? "rates backbone 0.0009, aspp 0.0015, decoder 0.0015" : "rates backbone 0.00045, aspp 0.00015, decoder 0.0003, refiner 0.0009", b2.StdOut);

        var x = PyTorchCheckpoint.Read(straight);
        var y = PyTorchCheckpoint.Read(resumed);
        int differing = x.Keys.Count(k => !x.Get(k).Data.AsSpan().SequenceEqual(y.Get(k).Data));
        _log.WriteLine($"4 steps straight vs 2 + 2 resumed: {differing} of {x.Count} tensors differ");
        Assert.Equal(0, differing);

        // A checkpoint cut short, and a file that is none, are one line each naming the file.
        var cut = temp.File("cut.ckpt");
        var whole = File.ReadAllBytes(Path.ChangeExtension(straight, ".ckpt"));
        File.WriteAllBytes(cut, whole.AsSpan(0, whole.Length / 2).ToArray());
        var notOne = temp.File("none.ckpt");
        File.WriteAllText(notOne, "not a checkpoint");
        foreach (var (file, message) in new[] { (cut, "cut short"), (notOne, "not a MatteKit BGMv2 training checkpoint") })
        {
            var r = CliRunner.RunTrainer(Limit, Args(temp.File("x.pth"), 6).Concat(new[] { "--resume", file }).ToArray());
            AssertOneLine(r, 1, message);
            Assert.Contains(file, r.StdErr);
        }
    }

    /// <summary>
    /// A checkpoint of a run started at another refine size (twice --size, the default before it was 4 times),
    /// resumed without --hr-size, goes on at the checkpoint's refine size (it was refused, asking for the same
    /// --hr-size); an explicit different --hr-size is still refused.
    /// </summary>
    [SkippableFact]
    public void ResumeWithoutHrSizeGoesOnAtTheCheckpointsRefineSize()
    {
        using var temp = new TempFolder();
        var cutouts = TrainingSets.Cutouts(temp, "cutouts", "p3m_p_07141906");
        var backgrounds = TrainingSets.Backgrounds(temp, "bg", "skimage_coffee.png", "skimage_rocket_launch.jpg");
        var output = temp.File("older.pth");
        var checkpoint = Path.ChangeExtension(output, ".ckpt");
        string[] Args(int steps, params string[] more) => new[] { "--model", "bgmv2", "--stage", "refine", "--out", output, "--cutouts", cutouts,
            "--backgrounds", backgrounds, "--steps", steps.ToString(), "--size", "128x128", "--threads", "2", "--quiet" }.Concat(more).ToArray();
        var first = CliRunner.RunTrainer(Limit, Args(1, "--hr-size", "256x256"));
        Assert.True(first.ExitCode == 0, first.StdErr);

        var resumed = CliRunner.RunTrainer(Limit, Args(2, "--resume", checkpoint));
        _log.WriteLine(resumed.StdOut + resumed.StdErr);
        Assert.True(resumed.ExitCode == 0, resumed.StdErr);
        Assert.Contains($"resumed from {checkpoint} at step 1 (refine stage)", resumed.StdOut);
        Assert.Contains("refine stage at 256x256, the checkpoint's (no --hr-size; the default now is 512x512)", resumed.StdOut);
        Assert.Contains("refine stage: 1 steps this run", resumed.StdOut);

        var other = CliRunner.RunTrainer(Limit, Args(3, "--hr-size", "512x512", "--resume", checkpoint));
        AssertOneLine(other, 1, "resume with the same --stage, --backbone, --size and --hr-size");
    }

    /// <summary>
    /// The .pth files that train --model bgmv2 writes load in the official PyTorch code with strict=True: a run of
    /// both stages into <c>MattingRefine('mobilenetv2', backbone_scale=0.25, refine_mode='sampling')</c> (the
    /// training configuration, one eval forward) and a --stage base run into <c>MattingBase('mobilenetv2')</c>; and
    /// in eval mode the official outputs equal MatteKit's network on the same weights and input (the refiner in full
    /// mode there, so that no near-tie in the patch selection decides the comparison). Needs Debian's python3-torch
    /// and python3-torchvision and the official code (MATTEKIT_BGM_CODE: the folder holding model/).
    /// </summary>
    [SkippableFact]
    public void OfficialCodeLoadsTrainedWeightsStrictly()
    {
        var code = Environment.GetEnvironmentVariable("MATTEKIT_BGM_CODE");
        Skip.If(code is null || !Directory.Exists(Path.Combine(code, "model")), "set MATTEKIT_BGM_CODE to a checkout of the official BackgroundMattingV2 code to run this check");
        Skip.IfNot(PythonImports("torch, torchvision"), "Debian's python3-torch and python3-torchvision are not installed");
        using var temp = new TempFolder();
        var cutouts = TrainingSets.Cutouts(temp, "cutouts", "p3m_p_07141906");
        var backgrounds = TrainingSets.Backgrounds(temp, "bg", "skimage_coffee.png", "skimage_rocket_launch.jpg");
        string whole = temp.File("both.pth"), baseOnly = temp.File("base.pth");
        var r = CliRunner.RunTrainer(Limit, "--model", "bgmv2", "--out", whole, "--cutouts", cutouts, "--backgrounds", backgrounds,
            "--steps", "4", "--size", "128x128", "--hr-size", "256x256", "--threads", "2", "--quiet");
        Assert.True(r.ExitCode == 0, r.StdErr);
        r = CliRunner.RunTrainer(Limit, "--model", "bgmv2", "--stage", "base", "--out", baseOnly, "--cutouts", cutouts, "--backgrounds", backgrounds,
            "--steps", "2", "--size", "128x128", "--threads", "2", "--quiet");
        Assert.True(r.ExitCode == 0, r.StdErr);

        // One input for the whole network and one at the base size (128x128), closed formulas in 0..1. The whole network's
        // is 512x512: at 256x256 (this run's --hr-size) a frame has 4,096 patches, fewer than the official sampling's
        // 80,000 / 16 = 5,000, which the official topk refuses (its recipe crops to 1024-2048 a side).
        var folder = temp.File("io");
        Directory.CreateDirectory(folder);
        WriteFloats(Path.Combine(folder, "src.bin"), Formula(3 * 512 * 512, 0.37));
        WriteFloats(Path.Combine(folder, "bgr.bin"), Formula(3 * 512 * 512, 0.23));
        WriteFloats(Path.Combine(folder, "src_sm.bin"), Formula(3 * 128 * 128, 0.41));
        WriteFloats(Path.Combine(folder, "bgr_sm.bin"), Formula(3 * 128 * 128, 0.19));
        const string script = """
            import sys
            import numpy as np, torch
            code, whole, base, io = sys.argv[1:5]
            sys.path.insert(0, code)
            from model import MattingBase, MattingRefine
            torch.set_num_threads(2)
            read = lambda n, s: torch.from_numpy(np.fromfile(f'{io}/{n}.bin', dtype=np.float32).reshape(s))
            def write(n, t): t.detach().contiguous().numpy().astype(np.float32).tofile(f'{io}/{n}.bin')
            m = MattingRefine('mobilenetv2', backbone_scale=0.25, refine_mode='sampling', refine_sample_pixels=80_000)
            print('MattingRefine:', m.load_state_dict(torch.load(whole, map_location='cpu'), strict=True))
            m.eval()
            src, bgr = read('src', (1, 3, 512, 512)), read('bgr', (1, 3, 512, 512))
            with torch.no_grad():
                out = m(src, bgr)
            print('sampling forward:', [tuple(t.shape) for t in out], 'finite' if all(bool(torch.isfinite(t).all()) for t in out) else 'NOT FINITE')
            m.refiner.mode = 'full'
            with torch.no_grad():
                pha, fgr = m(src, bgr)[:2]
            write('refine_pha', pha); write('refine_fgr', fgr)
            m = MattingBase('mobilenetv2')
            print('MattingBase:', m.load_state_dict(torch.load(base, map_location='cpu'), strict=True))
            m.eval()
            with torch.no_grad():
                pha, fgr, err, hid = m(read('src_sm', (1, 3, 128, 128)), read('bgr_sm', (1, 3, 128, 128)))
            write('base_pha', pha); write('base_fgr', fgr); write('base_err', err)
            """;
        var psi = new System.Diagnostics.ProcessStartInfo("/usr/bin/python3") { ArgumentList = { "-c", script, code!, whole, baseOnly, folder }, RedirectStandardOutput = true, RedirectStandardError = true };
        using (var python = System.Diagnostics.Process.Start(psi)!)
        {
            var stderr = python.StandardError.ReadToEndAsync();
            string stdout = python.StandardOutput.ReadToEnd();
            python.WaitForExit();
            _log.WriteLine(stdout + stderr.Result);
            Assert.True(python.ExitCode == 0, stderr.Result);
            Assert.Contains("MattingRefine: <All keys matched successfully>", stdout);
            Assert.Contains("MattingBase: <All keys matched successfully>", stdout);
            Assert.Contains("sampling forward: [(1, 1, 512, 512), (1, 3, 512, 512), (1, 1, 128, 128), (1, 3, 128, 128), (1, 1, 128, 128), (1, 1, 128, 128)] finite", stdout);
        }

        // The official eval outputs against MatteKit's network on the same files.
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var refineNetwork = new BgmMattingNetwork(BgmBackbone.MobileNetV2, new PatchRefiner(BgmMattingNetwork.HiddenChannels, RefineMode.Full, 80_000, 0.1f));
        Assert.Empty(BgmNetworkWeights.Load(refineNetwork, PyTorchCheckpoint.Read(whole)));
        refineNetwork.eval();
        var refined = refineNetwork.Refine(ReadFloats(folder, "src", 512), ReadFloats(folder, "bgr", 512));
        var baseNetwork = new BgmMattingNetwork(BgmBackbone.MobileNetV2, refiner: null);
        Assert.Empty(BgmNetworkWeights.Load(baseNetwork, PyTorchCheckpoint.Read(baseOnly)));
        baseNetwork.eval();
        var based = baseNetwork.Base(ReadFloats(folder, "src_sm", 128), ReadFloats(folder, "bgr_sm", 128));
        foreach (var (name, ours, channels, side) in new[] { ("refine_pha", refined.Alpha, 1, 512), ("refine_fgr", refined.Foreground, 3, 512),
                     ("base_pha", based.Alpha, 1, 128), ("base_fgr", based.Foreground, 3, 128), ("base_err", based.Error, 1, 128) })
        {
            double difference = (ours - ReadFloats(folder, name, side, channels)).abs().max().item<float>();
            _log.WriteLine($"{name}: max |MatteKit - official| = {difference:E2} (MatteKit's values {ours.min().item<float>():F4} to {ours.max().item<float>():F4}, mean {ours.mean().item<float>():F4})");
            Assert.True(difference < 1e-4, $"{name} differs by {difference}");
        }
    }

    private static float[] Formula(int count, double c) =>
        Enumerable.Range(0, count).Select(i => (float)(0.5 + 0.45 * Math.Sin(c * i + 0.5))).ToArray();

    private static void WriteFloats(string path, float[] values) => File.WriteAllBytes(path, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    private static Tensor ReadFloats(string folder, string name, int side, int channels = 3)
    {
        var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Path.Combine(folder, name + ".bin"))).ToArray();
        return tensor(values).reshape(1, channels, side, side);
    }

    private static bool PythonImports(string modules)
    {
        if (!File.Exists("/usr/bin/python3")) return false;
        var psi = new System.Diagnostics.ProcessStartInfo("/usr/bin/python3") { ArgumentList = { "-c", "import " + modules }, RedirectStandardError = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0;
    }

    public static IEnumerable<object[]> Refused() => new[]
    {
        new object[] { 2, "--stage top: expected base", new[] { "--model", "bgmv2", "--stage", "top" } },
        new object[] { 2, "--hr-size is the refine stage's size: --stage base has none", new[] { "--model", "bgmv2", "--stage", "base", "--hr-size", "256x256" } },
        new object[] { 2, "--hr-size 258x256: the refiner needs sides that are multiples of 4", new[] { "--model", "bgmv2", "--hr-size", "258x256" } },
        new object[] { 2, "--segmentation: not available with --model bgmv2", new[] { "--model", "bgmv2", "--segmentation", "s" } },
        new object[] { 2, "--preset, --seq-length: not available with --model bgmv2", new[] { "--model", "bgmv2", "--preset", "stage1", "--seq-length", "2" } },
        new object[] { 2, "--stage is for --model bgmv2", new[] { "--stage", "base" } },
        new object[] { 2, "--backbone is for --model bgmv2", new[] { "--backbone", "resnet50" } },
        new object[] { 2, "--model must be", new[] { "--model", "modnet" } },
    };

    [SkippableTheory]
    [MemberData(nameof(Refused))]
    public void RefusesWhatTheBaseStageDoesNotDo(int exitCode, string message, string[] args)
    {
        using var temp = new TempFolder();
        var r = CliRunner.RunTrainer(Limit, args.Concat(new[] { "--out", temp.File("x.pth"), "--cutouts", temp.File("c"), "--backgrounds", temp.File("b"), "--steps", "1" }).ToArray());
        _log.WriteLine(r.StdErr);
        AssertOneLine(r, exitCode, message);
    }

    /// <summary>BGMv2 validation clips need the plates (bgr/, as compose-dataset writes them): without them, one line naming the clip.</summary>
    [SkippableFact]
    public void ValidationClipsNeedTheirPlates()
    {
        using var temp = new TempFolder();
        var cutouts = TrainingSets.Cutouts(temp, "cutouts", "p3m_p_07141906");
        var backgrounds = TrainingSets.Backgrounds(temp, "bg", "skimage_coffee.png");
        var valid = TrainingSets.Compose(temp, "valid", cutouts, backgrounds, "128x128", 1);
        var clip = Directory.GetDirectories(valid).Single();
        Directory.Delete(Path.Combine(clip, "bgr"), recursive: true);
        var r = CliRunner.RunTrainer(Limit, "--model", "bgmv2", "--out", temp.File("x.pth"), "--cutouts", cutouts, "--backgrounds", backgrounds,
            "--valid", valid, "--steps", "1", "--size", "128x128");
        _log.WriteLine(r.StdErr);
        AssertOneLine(r, 1, "a validation clip needs com/, pha/ and bgr/ frame folders");
        Assert.Contains(clip, r.StdErr);
    }

    [SkippableFact]
    public void NeedsBackgroundsAndBgmWeights()
    {
        using var temp = new TempFolder();
        var r = CliRunner.RunTrainer(Limit, "--model", "bgmv2", "--out", temp.File("x.pth"), "--cutouts", temp.File("c"), "--steps", "1");
        AssertOneLine(r, 2, "give --backgrounds DIR");

        var rvm = SharedData.Path("models", "rvm_mobilenetv3_fgf.pth");
        SharedData.SkipIfMissing(rvm);
        r = CliRunner.RunTrainer(Limit, "--model", "bgmv2", "--weights", rvm, "--out", temp.File("x.pth"), "--cutouts", temp.File("c"), "--backgrounds", temp.File("b"), "--steps", "1");
        _log.WriteLine(r.StdErr);
        AssertOneLine(r, 1, "a Robust Video Matting model, not BackgroundMattingV2");
    }

    private static BgmMattingNetwork WholeNetwork() =>
        new(BgmBackbone.MobileNetV2, new PatchRefiner(BgmMattingNetwork.HiddenChannels, RefineMode.Sampling, 80_000, 0.1f));

    private static void AssertOneLine(CliRunner.Result r, int exitCode, string expected)
    {
        Assert.True(r.ExitCode == exitCode, $"exit {r.ExitCode}: {r.StdErr}");
        Assert.Single(r.StdErr.Trim().Split('\n'));
        Assert.DoesNotContain("   at ", r.StdErr);
        Assert.Contains(expected, r.StdErr);
    }
}
