using System.Text.Json;
using MatteKit.Inference;
using MatteKit.Onnx;
using MatteKit.Weights;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MatteKit.Bench;

/// <summary>
/// `network --precision fp32,int8 --profile`: where the time goes, per operator type, in the float32 and the int8
/// graph at one setting (ONNX Runtime's own profiler, ms per frame summed over the nodes of each type).
/// </summary>
internal static class OperatorProfile
{
    public static void Run(IReadOnlyList<byte[]> frames, int width, int height, double ratio, int threads, ActivationRanges ranges)
    {
        var network = Rvm.RvmNetwork.FromWeights(WeightsFile.LoadOrDefault(null));
        var geo = network.Geometry(width, height, ratio);
        var perPrecision = new[] { ("fp32", (Int8Quantization?)null), ("int8", Int8Quantization.With(ranges)) }
            .Select(p => (p.Item1, Profile(Rvm.RvmGraph.Build(network, geo, Rvm.SourceFormat.PlanarBytes, int8: p.Item2).OnnxBytes, frames, geo, threads)))
            .ToArray();
        Console.WriteLine($"Operator profile at {width}x{height} @ {ratio}, {threads} threads, ms per frame by op type (ONNX Runtime's profiler, {frames.Count} frames):");
        foreach (var (name, byOp) in perPrecision)
            Console.WriteLine($"  {name}: {Line(byOp)}");
    }

    private static Dictionary<string, double> Profile(byte[] model, IReadOnlyList<byte[]> frames, Rvm.RvmGeometry geo, int threads)
    {
        var states = geo.StateShapes.Select(s => new DenseTensor<float>(s)).ToArray();
        int next = 0;
        return ByOperator(model, threads, frames.Count, session =>
        {
            var planes = new DenseTensor<byte>(new[] { 1, 3, geo.FrameHeight, geo.FrameWidth });
            RgbPlanes.Split(frames[next++], planes.Buffer.Span);
            var inputs = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor("src", planes) };
            for (int i = 0; i < 4; i++) inputs.Add(NamedOnnxValue.CreateFromTensor($"r{i + 1}i", states[i]));
            using var results = session.Run(inputs);
            for (int i = 0; i < 4; i++) states[i] = (DenseTensor<float>)results.First(r => r.Name == $"r{i + 1}o").AsTensor<float>().Clone();
        });
    }

    /// <summary>
    /// Milliseconds a run by operator type (ONNX Runtime's profiler, kernel time summed over the nodes of each type)
    /// of <paramref name="model"/> run <paramref name="runs"/> times by <paramref name="run"/> in one profiling session.
    /// </summary>
    public static Dictionary<string, double> ByOperator(byte[] model, int threads, int runs, Action<InferenceSession> run)
    {
        using var options = OrtSessionOptions.Create(threads);
        options.EnableProfiling = true;
        options.ProfileOutputPathPrefix = Path.Combine(Path.GetTempPath(), $"mattekit-profile-{Environment.ProcessId}");
        string file;
        using (var session = new InferenceSession(model, options))
        {
            for (int r = 0; r < runs; r++) run(session);
            file = session.EndProfiling();
        }
        var byOp = new Dictionary<string, double>();
        using (var doc = JsonDocument.Parse(File.ReadAllText(file)))
            foreach (var e in doc.RootElement.EnumerateArray())
            {
                if (e.GetProperty("cat").GetString() != "Node" || !e.GetProperty("name").GetString()!.EndsWith("_kernel_time", StringComparison.Ordinal)) continue;
                var op = e.GetProperty("args").GetProperty("op_name").GetString()!;
                byOp[op] = byOp.GetValueOrDefault(op) + e.GetProperty("dur").GetDouble() / 1000.0 / runs;
            }
        File.Delete(file);
        return byOp;
    }

    /// <summary>One line: the total and the largest operator types, ms a run.</summary>
    public static string Line(Dictionary<string, double> byOp, int top = 14)
        => $"total {byOp.Values.Sum():F1}; " + string.Join(", ", byOp.OrderByDescending(kv => kv.Value).Take(top).Select(kv => $"{kv.Key} {kv.Value:F2}"));
}
