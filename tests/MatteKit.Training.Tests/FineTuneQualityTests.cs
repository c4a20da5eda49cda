using System.Text.RegularExpressions;
using MatteKit.Rvm;
using MatteKit.Tests.TestSupport;
using MatteKit.Training.Network;
using MatteKit.Training.Runs;
using MatteKit.Weights;
using Xunit.Abstractions;

namespace MatteKit.Tests.Training;

/// <summary>
/// End to end: a two-minute fine-tune on composites of one shared cut-out over four shared backgrounds, scored on
/// composites of that cut-out over a fifth background it never saw (lower MAD than the base weights), and of
/// another cut-out over it (not more than 10% higher). All numbers are printed.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed partial class FineTuneQualityTests
{
    private readonly ITestOutputHelper _log;

    public FineTuneQualityTests(ITestOutputHelper log) => _log = log;

    [SkippableFact]
    public void FineTuneLowersMadOnTheSameCutoutOverAnUnseenBackground()
    {
        using var temp = new TempFolder();
        var trained = TrainingSets.Cutouts(temp, "trained", "p3m_p_07141906");
        var other = TrainingSets.Cutouts(temp, "other", "p3m_p_09ba26b4");
        var backgrounds = TrainingSets.Backgrounds(temp, "bg", "bm_atrium_stairs_1080p.jpg", "bm_open_office_people_far_1080p.jpg",
            "skimage_coffee.png", "skimage_rocket_launch.jpg");
        var unseen = TrainingSets.Backgrounds(temp, "unseen", "opencv_leuven_street.jpg");
        var validSame = TrainingSets.Compose(temp, "valid_same", trained, unseen, "256x144", 8);
        var validOther = TrainingSets.Compose(temp, "valid_other", other, unseen, "256x144", 8);
        var output = temp.File("tuned.pth");

        var r = CliRunner.RunTrainer(TimeSpan.FromMinutes(10), "--out", output, "--cutouts", trained, "--backgrounds", backgrounds,
            "--valid", validSame, "--steps", "120", "--valid-every", "60", "--size", "256x144", "--seq-length", "4", "--threads", "2");
        _log.WriteLine(r.StdOut);
        _log.WriteLine(string.Join('\n', r.StdErr.Split('\n').Where(l => l.StartsWith("validation"))));
        Assert.True(r.ExitCode == 0, r.StdErr);
        var m = ValidationLine().Match(r.StdOut);
        Assert.True(m.Success, r.StdOut);
        double before = double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        double best = double.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        _log.WriteLine($"same cut-out, unseen background: MAD (x1e3) base {before:F3}, tuned {best:F3}");
        Assert.True(best < before, $"fine-tuning did not lower the MAD on its own cut-out: {before:F3} -> {best:F3}");

        var validator = new Validator(validOther);
        double Mad(WeightSet w)
        {
            using var scope = TorchSharp.torch.NewDisposeScope();
            var network = NetworkWeights.Create(w, RvmRefiner.FastGuidedFilter, out _);
            return validator.Score(network, 0, () => { }).Mad;
        }
        double otherBase = Mad(WeightsFile.LoadDefault()), otherTuned = Mad(PyTorchCheckpoint.Read(output));
        _log.WriteLine($"other cut-out, unseen background: MAD (x1e3) base {otherBase:F3}, tuned {otherTuned:F3}");
        Assert.True(otherTuned <= otherBase * 1.1, $"fine-tuning on one cut-out raised the other's MAD by more than 10%: {otherBase:F3} -> {otherTuned:F3}");
    }

    [GeneratedRegex(@"validation MAD: ([\d.]+) before, [\d.]+ at step \d+, best ([\d.]+)")]
    private static partial Regex ValidationLine();
}
