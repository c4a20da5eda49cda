using MatteKit.Media;
using MatteKit.Tests.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace MatteKit.Tests.Cli;

/// <summary>
/// <c>--precision int8</c> as a user gives it: the embedded model with its shipped ranges, said on the summary line, its
/// alpha near fp32's; with other weights, a selfie model or plate mode, one line and exit 2. <c>export-onnx --precision int8</c>
/// writes the int8 graph, for the embedded model only.
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

    [Fact]
    public void ExportOnnxWritesTheInt8Graph()
    {
        using var dir = new TempFolder();
        var r = CliRunner.Run("export-onnx", "--size", "96x64", "--downsample-ratio", "0.5", "--out", dir.File("int8.onnx"), "--precision", "int8");
        Assert.True(r.ExitCode == 0, r.StdErr);
        _log.WriteLine(r.StdOut.Trim());
        Assert.Contains("int8: the encoder and LR-ASPP quantized", r.StdOut);
        var model = MatteKit.Onnx.Protobuf.ModelProto.Parser.ParseFrom(File.ReadAllBytes(dir.File("int8.onnx")));
        Assert.Contains(model.Graph.Node, n => n.OpType == "QuantizeLinear");
        Assert.Contains(model.MetadataProps, p => p.Key == "mattekit.precision" && p.Value.StartsWith("int8", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--precision runs with activation ranges calibrated for the embedded model", "--weights", "{onnx}")]
    [InlineData("--precision runs with activation ranges calibrated for the embedded model", "--weights", "{json}")]
    [InlineData("--fp16 and --precision int8 exclude each other", "--fp16", null)]
    [InlineData("--precision must be fp32 or int8, got 'int4'", "--precision", "int4")]
    public void ExportOnnxRefusesInt8WhereItHasNoRangesInOneLine(string message, string option, string? value)
    {
        using var dir = new TempFolder();
        string onnx = Path.Combine(SharedData.RepoRoot, "tests", "MatteKit.Tests", "Fixtures", "missing.onnx");
        string json = Path.Combine(SharedData.RepoRoot, "tests", "MatteKit.Tests", "Fixtures", "missing", "model.json");
        var args = new List<string> { "export-onnx", "--size", "64x48", "--out", dir.File("a.onnx"), option };
        if (value is not null) args.Add(value.Replace("{onnx}", onnx).Replace("{json}", json));
        if (option != "--precision") args.AddRange(new[] { "--precision", "int8" });
        var r = CliRunner.Run(args.ToArray());
        _log.WriteLine($"exit {r.ExitCode}: {r.StdErr.Trim()}");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, Assert.Single(r.StdErr.Trim().Split('\n')));
        Assert.False(File.Exists(dir.File("a.onnx")));
    }
}
