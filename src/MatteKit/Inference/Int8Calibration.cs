using MatteKit.Onnx;
using MatteKit.Rvm;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MatteKit.Inference;

/// <summary>
/// Measures the ranges of an int8 graph's activations: the float graph with every quantization site as an output
/// (<see cref="Int8Quantization.ForCalibration"/>), run on real frames in order with the recurrent state carried.
/// A first pass finds each site's extremes, a second counts its values (<see cref="ActivationHistogram"/>), and
/// each site gets the range with the least quantization error. The same frames give the same ranges (float
/// sessions are deterministic on one machine), so ranges can be stored or rebuilt.
/// </summary>
internal static class Int8Calibration
{
    /// <summary>
    /// Ranges for clips given as consecutive frames (interleaved 8-bit RGB, <paramref name="width"/> x
    /// <paramref name="height"/>), each clip matted at <paramref name="ratio"/> in order from a fresh state.
    /// </summary>
    public static ActivationRanges Measure(RvmNetwork network, IReadOnlyList<IReadOnlyList<byte[]>> clips, int width, int height, double ratio, int threads = 0)
    {
        if (clips.Sum(c => c.Count) == 0) throw new ArgumentException("calibration needs at least one frame", nameof(clips));
        var geometry = network.Geometry(width, height, ratio);
        var graph = RvmGraph.Build(network, geometry, SourceFormat.PlanarBytes, int8: Int8Quantization.ForCalibration());
        using var options = OrtSessionOptions.Create(threads);
        using var session = new InferenceSession(graph.OnnxBytes, options);
        var sites = session.OutputMetadata.Keys.Where(k => k.StartsWith(Int8Quantization.CalibrationOutput, StringComparison.Ordinal))
            .OrderBy(k => int.Parse(k.AsSpan(Int8Quantization.CalibrationOutput.Length))).ToArray();

        var min = Enumerable.Repeat(float.PositiveInfinity, sites.Length).ToArray();
        var max = Enumerable.Repeat(float.NegativeInfinity, sites.Length).ToArray();
        Run(session, geometry, clips, sites, (s, values) =>
        {
            foreach (var v in values)
            {
                if (v < min[s]) min[s] = v;
                if (v > max[s]) max[s] = v;
            }
        });
        var histograms = Enumerable.Range(0, sites.Length).Select(s => new ActivationHistogram(min[s], max[s])).ToArray();
        Run(session, geometry, clips, sites, (s, values) => histograms[s].Add(values));
        var best = histograms.Select(h => h.BestRange()).ToArray();
        return new ActivationRanges(best.Select(b => b.Min).ToArray(), best.Select(b => b.Max).ToArray());
    }

    private delegate void SiteValues(int site, ReadOnlySpan<float> values);

    private static void Run(InferenceSession session, RvmGeometry geometry, IReadOnlyList<IReadOnlyList<byte[]>> clips, string[] sites, SiteValues visit)
    {
        var outputNames = sites.Concat(Enumerable.Range(1, 4).Select(i => $"r{i}o")).ToArray();
        int width = geometry.FrameWidth, height = geometry.FrameHeight;
        foreach (var clip in clips)
        {
            var states = geometry.StateShapes.Select(s => new DenseTensor<float>(s)).ToArray();
            foreach (var frame in clip)
            {
                var planes = new DenseTensor<byte>(new[] { 1, 3, height, width });
                RgbPlanes.Split(frame, planes.Buffer.Span);
                var inputs = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor("src", planes) };
                for (int i = 0; i < 4; i++) inputs.Add(NamedOnnxValue.CreateFromTensor($"r{i + 1}i", states[i]));
                using var results = session.Run(inputs, outputNames);
                var byName = results.ToDictionary(r => r.Name, r => (DenseTensor<float>)r.AsTensor<float>());
                for (int s = 0; s < sites.Length; s++) visit(s, byName[sites[s]].Buffer.Span);
                for (int i = 0; i < 4; i++) states[i] = (DenseTensor<float>)byName[$"r{i + 1}o"].Clone();
            }
        }
    }
}
