using MatteKit.Inference;
using MatteKit.Onnx.Protobuf;
using MatteKit.Rvm;
using MatteKit.Tests.TestSupport;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit.Abstractions;

namespace MatteKit.Tests.Rvm;

/// <summary>
/// The int8 file <see cref="RvmOnnxExport"/> writes (<c>export-onnx --precision int8</c>): run by a plain ONNX Runtime
/// session, as another program would, it gives float32's matte within the int8 tolerance; which of its ops ONNX Runtime
/// runs in integers.
/// </summary>
public sealed class Int8ExportTests
{
    private readonly ITestOutputHelper _log;

    public Int8ExportTests(ITestOutputHelper log) => _log = log;

    private static RvmNetwork Network => RvmNetwork.FromWeights(TestWeights.Default);

    /// <summary>
    /// Reference case a (512x288, ratio 1, six frames), the int8 file and the float32 file each from zero states, the
    /// states fed back: mean |d alpha| within the bound of <see cref="Int8GraphTests"/> for the shipped ranges (the
    /// in-process int8 graph measured 0.0211 there).
    /// </summary>
    [SkippableFact]
    public void TheInt8FileRunsInAFreshSessionNearTheFloat32File()
    {
        var test = SharedData.ReferenceCaseOrSkip(SharedData.Reference("rvm_mobilenetv3"), "a");
        var fp32 = RvmOnnxExport.Build(Network, test.Width, test.Height, test.DownsampleRatio, float16: false);
        var int8 = RvmOnnxExport.Build(Network, test.Width, test.Height, test.DownsampleRatio, float16: false, EmbeddedInt8Ranges.Load());
        var expected = RunInFreshSession(fp32, test);
        var actual = RunInFreshSession(int8, test);
        double sum = 0, max = 0;
        long count = 0;
        for (int f = 0; f < expected.Count; f++)
        {
            for (int i = 0; i < expected[f].Length; i++)
            {
                double d = Math.Abs(expected[f][i] - actual[f][i]);
                sum += d;
                max = Math.Max(max, d);
            }
            count += expected[f].Length;
        }
        double mean = sum / count;
        _log.WriteLine($"case {test}, {expected.Count} frames, exported int8 file against exported float32 file (plain sessions): mean |d alpha| {mean:F4}, max {max:F3}");
        Assert.True(mean < Int8GraphTests.ShippedMeanTolerance, $"mean |d alpha| {mean:F4}");
        Assert.True(mean > 0, "the int8 file gave float32's alpha bit for bit: it was not quantized");
    }

    [Fact]
    public void TheInt8FileIsStandardOnnxThatOnnxRuntimeRunsInIntegers()
    {
        var bytes = RvmOnnxExport.Build(Network, 160, 96, 0.5, float16: false, EmbeddedInt8Ranges.Load());
        var model = ModelProto.Parser.ParseFrom(bytes);
        Assert.All(model.Graph.Node, n => Assert.True(n.Domain == "", $"{n.OpType} is in domain '{n.Domain}'"));
        Assert.All(model.OpsetImport, o => Assert.Equal("", o.Domain));
        Assert.Contains(model.MetadataProps, p => p.Key == "mattekit.precision" && p.Value.StartsWith("int8", StringComparison.Ordinal));
        Assert.Equal(new[] { "src", "r1i", "r2i", "r3i", "r4i" }, model.Graph.Input.Select(i => i.Name));
        Assert.All(model.Graph.Input.Concat(model.Graph.Output), v => Assert.Equal((int)TensorProto.Types.DataType.Float, v.Type.TensorType.ElemType));

        var dequantized = model.Graph.Node.Where(n => n.OpType == "DequantizeLinear").Select(n => n.Output[0]).ToHashSet();
        int int8Convs = model.Graph.Node.Count(n => n.OpType == "Conv" && dequantized.Contains(n.Input[1]));
        var optimized = Optimized(bytes);
        int Count(string op) => optimized.Node.Count(n => n.OpType == op);
        _log.WriteLine($"exported int8 file, 160x96 @0.5: {int8Convs} convs with int8 weights; ONNX Runtime's graph: " +
                       string.Join(", ", optimized.Node.GroupBy(n => n.OpType).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}")));
        // The encoder's 62 convs and LR-ASPP's 2, as in the graph --precision int8 runs in process.
        Assert.Equal(64, int8Convs);
        Assert.Equal(64, Count("QLinearConv"));
        Assert.Equal(9, Count("QLinearGlobalAveragePool"));
        Assert.True(Count("QLinearAdd") >= 8 + 9 && Count("QLinearMul") >= 9, "residual adds, hard swishes and squeeze-excitations in integers");
        Assert.Equal(0, Count("HardSwish") + Count("HardSigmoid"));
    }

    [Fact]
    public void AFileIsFloat16OrInt8NotBoth()
    {
        var e = Assert.Throws<ArgumentException>(() => RvmOnnxExport.Build(Network, 64, 64, 1.0, float16: true, EmbeddedInt8Ranges.Load()));
        Assert.Contains("not both", e.Message);
    }

    /// <summary>Alpha of each frame, run as another program would: a default session, float frames 0..1, states fed back.</summary>
    private static List<float[]> RunInFreshSession(byte[] model, ReferenceCase test)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 2 };
        using var session = new InferenceSession(model, options);
        var states = new DenseTensor<float>[4];
        for (int s = 0; s < 4; s++) states[s] = new DenseTensor<float>(session.InputMetadata[$"r{s + 1}i"].Dimensions);
        var alphas = new List<float[]>();
        int plane = test.Width * test.Height;
        for (int f = 0; f < test.Frames.Length; f++)
        {
            var rgb = test.SourceRgb24(f);
            var src = new DenseTensor<float>(new[] { 1, 3, test.Height, test.Width });
            var buffer = src.Buffer.Span;
            for (int i = 0; i < plane; i++)
                for (int c = 0; c < 3; c++)
                    buffer[c * plane + i] = rgb[i * 3 + c] / 255f;
            var inputs = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor("src", src) };
            for (int s = 0; s < 4; s++) inputs.Add(NamedOnnxValue.CreateFromTensor($"r{s + 1}i", states[s]));
            using var results = session.Run(inputs);
            alphas.Add(results.Single(r => r.Name == "pha").AsTensor<float>().ToArray());
            for (int s = 0; s < 4; s++)
            {
                var next = results.Single(r => r.Name == $"r{s + 1}o").AsTensor<float>();
                states[s] = new DenseTensor<float>(next.ToArray(), next.Dimensions.ToArray());
            }
        }
        return alphas;
    }

    private static GraphProto Optimized(byte[] graph)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"mattekit-int8-export-test-{Guid.NewGuid():N}.onnx");
        try
        {
            using (var options = new SessionOptions { IntraOpNumThreads = 1, OptimizedModelFilePath = path })
            {
                using var session = new InferenceSession(graph, options);
            }
            return ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)).Graph;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
