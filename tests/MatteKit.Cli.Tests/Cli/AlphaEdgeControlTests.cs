using MatteKit.Compositing;
using MatteKit.Media;
using MatteKit.Tests.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace MatteKit.Tests.Cli;

/// <summary>
/// <c>--alpha-choke</c>, <c>--alpha-feather</c>, <c>--alpha-levels</c> and <c>--foreground estimate</c> as a user gives
/// them: the alpha output and the composition are the network's alpha with the controls applied (in the library's
/// order), the estimated foreground is the one the frame and that alpha give, and a value out of bounds is one line and
/// exit 2 with nothing written.
/// </summary>
public sealed class AlphaEdgeControlTests
{
    private static readonly string Sample = Path.Combine(SharedData.RepoRoot, "samples", "astronaut.png");
    private readonly ITestOutputHelper _log;

    public AlphaEdgeControlTests(ITestOutputHelper log) => _log = log;

    [Fact]
    public void TheOutputsTakeTheControlledAlpha()
    {
        using var dir = new TempFolder();
        var plain = CliRunner.Run("convert", Sample, "--output-alpha", dir.File("plain.png"), "--threads", "2");
        Assert.True(plain.ExitCode == 0, plain.StdErr);
        var r = CliRunner.Run("convert", Sample, "--output-alpha", dir.File("edged.png"), "--output-foreground", dir.File("fgr.png"),
            "--output-composition", dir.File("com.png"), "--alpha-choke", "-2", "--alpha-feather", "1.5", "--alpha-levels", "0.05:0.9", "--threads", "2");
        _log.WriteLine(r.StdOut + r.StdErr);
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("alpha edges: levels 0.05:0.9, choke -2 px, feather 1.5 px", r.StdOut);

        var network = PngFile.ReadGray(dir.File("plain.png"));
        var expected = network.Pixels.ToArray();
        new AlphaEdges(-2, 1.5f, 0.05f, 0.9f).Apply(expected, network.Width, network.Height);
        var edged = PngFile.ReadGray(dir.File("edged.png")).Pixels;
        Assert.Equal(expected, edged);
        Assert.NotEqual(network.Pixels, edged);
        // The composition over the default green is made with that alpha.
        var fgr = PngFile.ReadRgb(dir.File("fgr.png")).Pixels;
        var composed = new byte[fgr.Length];
        Compositor.OverColor(fgr, edged, RgbColor.Green, composed);
        Assert.Equal(composed, PngFile.ReadRgb(dir.File("com.png")).Pixels);
    }

    /// <summary><c>--foreground estimate</c>: the foreground output is the estimate from the frame and the (edge-controlled) alpha written beside it.</summary>
    [Fact]
    public void AnEstimatedForegroundIsTheOneTheFrameAndTheAlphaGive()
    {
        using var dir = new TempFolder();
        var r = CliRunner.Run("convert", Sample, "--output-alpha", dir.File("pha.png"), "--output-foreground", dir.File("fgr.png"),
            "--foreground", "estimate", "--alpha-levels", "0.02:1", "--threads", "2");
        _log.WriteLine(r.StdOut + r.StdErr);
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("alpha edges: levels 0.02:1; foreground estimated from the frame and the alpha", r.StdOut);
        var frame = PngFile.ReadRgb(Sample);
        var alpha = PngFile.ReadGray(dir.File("pha.png")).Pixels;
        var expected = new byte[frame.Pixels.Length];
        new ForegroundEstimation().Estimate(frame.Pixels, alpha, frame.Width, frame.Height, expected);
        Assert.Equal(expected, PngFile.ReadRgb(dir.File("fgr.png")).Pixels);
        var bad = CliRunner.Run("convert", Sample, "--output-alpha", dir.File("x.png"), "--foreground", "guess");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--foreground must be", bad.StdErr);
    }

    [Theory]
    [InlineData("--alpha-choke", "65", "--alpha-choke must be a whole number of pixels from -64 to 64, got 65")]
    [InlineData("--alpha-feather", "-1", "--alpha-feather must be a number of pixels from 0 to 64, got -1")]
    [InlineData("--alpha-choke", "1e300", "--alpha-choke must be a number from -64 to 64, got '1e300'")]
    [InlineData("--alpha-feather", "-1e300", "--alpha-feather must be a number from 0 to 64, got '-1e300'")]
    [InlineData("--alpha-levels", "0.5:0.2", "the alpha levels must be LOW:HIGH with 0 <= LOW < HIGH <= 1, got 0.5:0.2")]
    [InlineData("--alpha-levels", "half", "--alpha-levels must be LOW:HIGH, two numbers from 0 to 1, got 'half'")]
    public void OutOfBoundsIsOneLineAndExit2(string option, string value, string message)
    {
        using var dir = new TempFolder();
        var r = CliRunner.Run("convert", Sample, "--output-alpha", dir.File("a.png"), option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, Assert.Single(r.StdErr.Trim().Split('\n')));
        Assert.False(File.Exists(dir.File("a.png")));
    }
}
