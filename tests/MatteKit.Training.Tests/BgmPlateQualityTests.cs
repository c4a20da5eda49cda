using System.Diagnostics;
using MatteKit.Media;
using MatteKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace MatteKit.Tests.Training;

/// <summary>
/// End to end at a small size: BGMv2 trained from no weights (both stages, a bounded number of steps) on composites
/// of one shared cut-out over three shared backgrounds, then <c>mattekit convert --background-plate</c> on a
/// composite of another cut-out over a fourth background with its plate: its alpha is closer to the truth than an
/// all-zero alpha. The loss curves and both MADs are printed.
/// </summary>
[Trait("Needs", "shared")]
[Collection(TorchCollection.Name)]
public sealed class BgmPlateQualityTests
{
    private readonly ITestOutputHelper _log;

    public BgmPlateQualityTests(ITestOutputHelper log) => _log = log;

    [SkippableFact]
    public void TrainedFromNoWeightsPlateModeBeatsAnEmptyAlphaOnAnotherCutout()
    {
        using var temp = new TempFolder();
        var trained = TrainingSets.Cutouts(temp, "trained", "p3m_p_07141906");
        var other = TrainingSets.Cutouts(temp, "other", "p3m_p_09ba26b4");
        var backgrounds = TrainingSets.Backgrounds(temp, "bg", "skimage_coffee.png", "skimage_rocket_launch.jpg", "bm_atrium_stairs_1080p.jpg");
        var unseen = TrainingSets.Backgrounds(temp, "unseen", "opencv_leuven_street.jpg");
        var weights = temp.File("plate.pth");
        var clock = Stopwatch.StartNew();
        // Steps, not minutes: the same steps on a busy machine (about 45 s on an idle 2-core box: 100 base steps at
        // 128x128, 100 refine steps at 256x256).
        var r = CliRunner.RunTrainer(TimeSpan.FromMinutes(5), "--model", "bgmv2", "--out", weights, "--cutouts", trained, "--backgrounds", backgrounds,
            "--steps", "200", "--size", "128x128", "--threads", "2", "--quiet");
        _log.WriteLine(r.StdOut + r.StdErr);
        _log.WriteLine($"trained in {clock.Elapsed.TotalSeconds:F0} s");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("base loss curve", r.StdOut);
        Assert.Contains("refine loss curve", r.StdOut);

        var eval = TrainingSets.Compose(temp, "eval", other, unseen, "256x256", 1);
        var clip = Directory.GetDirectories(eval).Single();
        var alpha = temp.File("alpha.png");
        var c = CliRunner.Run("convert", Path.Combine(clip, "com", "0000.png"), "--background-plate", Path.Combine(clip, "bgr", "0000.png"),
            "--weights", weights, "--output-alpha", alpha, "--threads", "2");
        _log.WriteLine(c.StdOut + c.StdErr);
        Assert.True(c.ExitCode == 0, c.StdErr);

        var predicted = PngFile.ReadGray(alpha).Pixels;
        var truth = PngFile.ReadGray(Path.Combine(clip, "pha", "0000.png")).Pixels;
        Assert.Equal(truth.Length, predicted.Length);
        double mad = predicted.Zip(truth, (p, t) => Math.Abs(p - t) / 255.0).Average();
        double zeroMad = truth.Average(t => t / 255.0);
        _log.WriteLine($"p3m_p_09ba26b4 over opencv_leuven_street at 256x256, plate mode: MAD {mad:F4}; an all-zero alpha: MAD {zeroMad:F4}");
        Assert.True(mad < zeroMad, $"MAD {mad:F4} is not below an all-zero alpha's {zeroMad:F4}");
    }
}
