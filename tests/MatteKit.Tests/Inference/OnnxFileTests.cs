using MatteKit.Inference;
using MatteKit.Rvm;
using MatteKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace MatteKit.Tests.Inference;

/// <summary>
/// ONNX files behind <see cref="VideoMatter"/>: the official exports in <c>shared/models</c> against the PyTorch
/// references, and the files <see cref="RvmOnnxExport"/> writes (float32 and float16) against our own graph.
/// </summary>
[Trait("Needs", "shared")]
public sealed class OnnxFileTests
{
    private readonly ITestOutputHelper _log;

    public OnnxFileTests(ITestOutputHelper log) => _log = log;

    public static IEnumerable<object[]> MobileNetCases() => new[] { "a", "b", "c", "e", "f" }.Select(c => new object[] { c });

    /// <summary>
    /// The official export always resizes and runs the fast guided filter, so at ratio 1 (cases a, e, f) its fgr/pha
    /// differ from PyTorch by design (printed, not checked); its states and every output at ratio &lt; 1 are checked.
    /// </summary>
    [SkippableTheory]
    [MemberData(nameof(MobileNetCases))]
    public void OfficialFp32FileMatchesPyTorch(string caseName)
    {
        var folder = SharedData.Path("reference", "rvm_mobilenetv3");
        var file = SharedData.Path("models", "rvm_mobilenetv3_fp32.onnx");
        SharedData.SkipIfMissing(System.IO.Path.Combine(folder, "manifest.json"));
        SharedData.SkipIfMissing(file);
        var refCase = ReferenceCase.LoadAll(folder).Single(c => c.Name == caseName);
        var cmp = new ReferenceComparison(refCase, ReferenceCase.LoadTolerances(folder), _log, "official fp32 onnx");
        bool refinedInPyTorch = refCase.DownsampleRatio != 1;
        using var matter = VideoMatter.Load(file, new MatterOptions { Threads = 2 });
        cmp.CompareMattingFrames(matter, checkMatte: refinedInPyTorch);
        if (refinedInPyTorch) cmp.AssertAll("fgr", "pha", "r4");
        else cmp.AssertAll("r4");
    }

    [SkippableFact]
    public void OfficialDeepGuidedFilterFileMatchesPyTorch()
    {
        var folder = SharedData.Path("reference", "rvm_variants");
        var file = SharedData.Path("models", "rvm_mobilenetv3_dgf_seg_synthetic_fp32.onnx");
        SharedData.SkipIfMissing(System.IO.Path.Combine(folder, "manifest.json"));
        SharedData.SkipIfMissing(file);
        var refCase = ReferenceCase.LoadAll(folder).Single(c => c.Name == "a_dgf_1280x720");
        var cmp = new ReferenceComparison(refCase, ReferenceCase.LoadTolerances(folder, "a"), _log, "official dgf fp32 onnx");
        using var matter = VideoMatter.Load(file, new MatterOptions { Threads = 2 });
        cmp.CompareMattingFrames(matter);
        cmp.AssertAll("fgr", "pha", "r4");
        var e = Assert.Throws<ArgumentException>(() => matter.Segment(refCase.SourceRgb24(0), refCase.Width, refCase.Height));
        Assert.Contains("no segmentation output", e.Message);
    }

    public static IEnumerable<object[]> ExportCases() => new[]
    {
        new object[] { "tfjs", 160, 96, 1.0 },
        new object[] { "tfjs", 201, 113, 0.5 },
        new object[] { "formula-a", 200, 120, 0.4 },
    };

    /// <summary>
    /// The exported float32 file, run by the ONNX-file engine, gives what our in-process graph gives, within the
    /// float-noise tolerances of the reference (fgr max 1e-3, mean 5e-6): the export takes float frames in 0..1,
    /// while the in-process graph takes bytes and applies the 1/255 at network resolution (folded into the fast
    /// guided filter), so the two round differently.
    /// </summary>
    [Theory]
    [MemberData(nameof(ExportCases))]
    public void ExportedFileMatchesOurGraph(string weights, int width, int height, double ratio)
    {
        var (expected, actual) = RunBoth(weights, width, height, ratio, float16: false);
        var (max, mean) = AbsDifference.Of(expected, actual);
        _log.WriteLine($"exported fp32 {weights} {width}x{height} @{ratio} vs our graph, fgr+pha+states of 3 frames: max {max:E2} mean {mean:E2}");
        Assert.True(max <= 1e-3 && mean <= 5e-6, $"max {max:E2} mean {mean:E2}");
    }

    /// <summary>
    /// Float16 file (float16 weights, activations, inputs and outputs) against our float32 graph. The tolerance is
    /// what float16 rounding through the whole network cost when measured here, rounded up: worst max 3.6e-3 and
    /// mean 3.7e-4 at ratio 1, 3.2e-3 / 2.9e-4 with the deep guided filter, 3.4e-3 / 2.9e-4 with the fast guided
    /// filter (the graph of the previous version measured 7.1e-2 / 2.8e-3 there).
    /// </summary>
    [Theory]
    [MemberData(nameof(ExportCases))]
    public void ExportedFloat16FileIsCloseToFloat32(string weights, int width, int height, double ratio)
    {
        var (expected, actual) = RunBoth(weights, width, height, ratio, float16: true, outputsOnly: true);
        var (max, mean) = AbsDifference.Of(expected, actual);
        _log.WriteLine($"exported fp16 {weights} {width}x{height} @{ratio} vs our fp32 graph, fgr+pha of 3 frames: max {max:E2} mean {mean:E2}");
        Assert.True(max <= 1e-2 && mean <= 1e-3, $"max {max:E2} mean {mean:E2}");
        Assert.True(max > 0, "float16 gave bit-identical results: the file was not float16");
    }

    [Fact]
    public void SegmentationWithoutHeadIsAClearError()
    {
        using var matter = VideoMatter.Load(TestWeights.Default, new MatterOptions { Threads = 1 });
        Assert.False(matter.HasSegmentation);
        var e = Assert.Throws<ArgumentException>(() => matter.Segment(SyntheticFrames.Rgb24(16, 16, 0), 16, 16));
        Assert.Contains("no segmentation head", e.Message);
    }

    private static (float[] Expected, float[] Actual) RunBoth(string weights, int width, int height, double ratio, bool float16, bool outputsOnly = false)
    {
        var set = weights == "tfjs" ? TestWeights.Default : SyntheticRvmWeights.ModelA(TestWeights.Default);
        using var folder = new TempFolder();
        var path = System.IO.Path.Combine(folder.Path, "model.onnx");
        RvmOnnxExport.Write(path, RvmNetwork.FromWeights(set), width, height, ratio, float16);
        // For other runtimes: standard ONNX operators only (MatteKit's own sessions use an ONNX Runtime contrib op).
        var model = MatteKit.Onnx.Protobuf.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        Assert.All(model.Graph.Node, n => Assert.True(n.Domain == "", $"{n.OpType} is in domain '{n.Domain}'"));
        Assert.All(model.OpsetImport, o => Assert.Equal("", o.Domain));
        using var ours = VideoMatter.Load(set, new MatterOptions { Threads = 2 });
        using var file = VideoMatter.Load(path, new MatterOptions { Threads = 2 });
        List<float> expected = new(), actual = new();
        for (int i = 0; i < 3; i++)
        {
            var frame = SyntheticFrames.Rgb24(width, height, i);
            foreach (var (m, into) in new[] { (ours, expected), (file, actual) })
            {
                var r = m.Process(frame, width, height, ratio);
                into.AddRange(r.Foreground.ToArray());
                into.AddRange(r.Alpha.ToArray());
                if (!outputsOnly)
                    for (int s = 0; s < 4; s++) into.AddRange(m.RecurrentState(s).ToArray());
            }
        }
        return (expected.ToArray(), actual.ToArray());
    }
}
