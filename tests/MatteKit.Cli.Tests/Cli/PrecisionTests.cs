using MatteKit.Media;
using MatteKit.Tests.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace MatteKit.Tests.Cli;

/// <summary>
/// <c>--precision int8</c> as a user gives it: the embedded model with its shipped ranges, said on the summary line, its
/// alpha near fp32's; with other weights, a selfie model or plate mode, one line and exit 2.
/// </summary>
public sealed class PrecisionTests
{
    private static readonly string Sample = Path.Combine(SharedData.RepoRoot, "samples", "astronaut.png");
    private readonly ITestOutputHelper _log;

    public PrecisionTests(ITestOutputHelper log) => _log = log;

    [Fact]
    public void Int8RunsTheEmbeddedModelNearFp32()
    {
        using var dir = new TempFolder();
        var int8 = CliRunner.Run("convert", Sample, "--output-alpha", dir.File("int8.png"), "--precision", "int8", "--threads", "2");
        var fp32 = CliRunner.Run("convert", Sample, "--output-alpha", dir.File("fp32.png"), "--precision", "fp32", "--threads", "2");
        Assert.True(int8.ExitCode == 0, int8.StdErr);
        Assert.True(fp32.ExitCode == 0, fp32.StdErr);
        Assert.Contains("int8: the encoder and LR-ASPP quantized", int8.StdOut);
        Assert.DoesNotContain("int8", fp32.StdOut);
        var a = PngFile.ReadGray(dir.File("int8.png")).Pixels;
        var b = PngFile.ReadGray(dir.File("fp32.png")).Pixels;
        double mean = a.Zip(b, (x, y) => Math.Abs(x - y) / 255.0).Average();
        _log.WriteLine($"astronaut.png, int8 against fp32: mean |d alpha| {mean:F4}");
        Assert.True(mean < 0.03, $"mean |d alpha| {mean:F4}");
        Assert.NotEqual(a, b);
    }

    [Theory]
    [InlineData("--precision runs with activation ranges calibrated for the embedded model", "--weights", "{onnx}")]
    [InlineData("--precision is for RVM; --model selfie runs in float32", "--model", "selfie")]
    [InlineData("--precision must be fp32 or int8, got 'int4'", "--precision", "int4")]
    public void WhereItCannotRunItIsOneLine(string message, string option, string value)
    {
        using var dir = new TempFolder();
        string onnx = Path.Combine(SharedData.RepoRoot, "tests", "MatteKit.Tests", "Fixtures", "missing.onnx");
        var args = new List<string> { "convert", Sample, "--output-alpha", dir.File("a.png"), option, value.Replace("{onnx}", onnx) };
        if (option != "--precision") args.AddRange(new[] { "--precision", "int8" });
        var r = CliRunner.Run(args.ToArray());
        _log.WriteLine($"exit {r.ExitCode}: {r.StdErr.Trim()}");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, Assert.Single(r.StdErr.Trim().Split('\n')));
        Assert.False(File.Exists(dir.File("a.png")));
    }
}
