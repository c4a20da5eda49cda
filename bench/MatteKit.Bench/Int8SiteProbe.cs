using MatteKit.Inference;
using MatteKit.Onnx;
using MatteKit.Weights;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MatteKit.Bench;

/// <summary>Debug: each quantization site's int8 value against its float value on one frame.</summary>
internal static class Int8SiteProbe
{
    public static void Run(string shared)
    {
        var ranges = PrecisionBenchmark.Calibrate(shared, 4);
        var network = Rvm.RvmNetwork.FromWeights(WeightsFile.LoadOrDefault(null));
        var frame = ClipFrames.Decode(Path.Combine(shared, "media", "clips", "talking_head_gesture_720p.mp4"), 512, 288, 1)[0];
        var geo = network.Geometry(512, 288, 1.0);
        float[][] Sites(Int8Quantization q)
        {
            var graph = Rvm.RvmGraph.Build(network, geo, Rvm.SourceFormat.PlanarBytes, int8: q);
            using var options = OrtSessionOptions.Create(2);
            using var session = new InferenceSession(graph.OnnxBytes, options);
            var planes = new DenseTensor<byte>(new[] { 1, 3, 288, 512 });
            RgbPlanes.Split(frame, planes.Buffer.Span);
            var inputs = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor("src", planes) };
            for (int i = 0; i < 4; i++) inputs.Add(NamedOnnxValue.CreateFromTensor($"r{i + 1}i", new DenseTensor<float>(geo.StateShapes[i])));
            var names = Enumerable.Range(0, ranges.Count).Select(k => Int8Quantization.CalibrationOutput + k).ToArray();
            using var results = session.Run(inputs, names);
            return results.Select(r => r.AsTensor<float>().ToArray()).ToArray();
        }
        var f = Sites(Int8Quantization.ForCalibration());
        var q = Sites(Int8Quantization.With(ranges, exposeSites: true));
        for (int k = 0; k < f.Length; k++)
        {
            double err = 0, mag = 0;
            for (int i = 0; i < f[k].Length; i++) { err += Math.Abs(f[k][i] - q[k][i]); mag += Math.Abs(f[k][i]); }
            Console.WriteLine($"site {k}: {f[k].Length} values, range [{ranges.Min[k]:G4}, {ranges.Max[k]:G4}], mean |float| {mag / f[k].Length:G4}, mean |int8 - float| {err / f[k].Length:G4}");
        }
    }
}
