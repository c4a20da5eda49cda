using MatteKit.Bgm;
using MatteKit.Tests.TestSupport;
using MatteKit.Weights;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit.Abstractions;

namespace MatteKit.Tests.Bgm;

/// <summary>
/// Our BGMv2 graph against the official PyTorch outputs in <c>shared/reference/bgmv2</c> (synthetic weights from the
/// formula), every case and stored tensor: selected patches exact and in the same order, values within the README's
/// suggested tolerances (max/mean printed).
/// </summary>
[Trait("Needs", "shared")]
public sealed class BgmReferenceTests
{
    // README "Suggested tolerances": coarse outputs and decoder_raw 1e-4 max; pha/fgr 1e-3 max, 2e-6 mean;
    // refined_patches 2e-4 max.
    private const double CoarseMax = 1e-4, FineMax = 1e-3, FineMean = 2e-6, PatchesMax = 2e-4;

    private readonly ITestOutputHelper _log;

    public BgmReferenceTests(ITestOutputHelper log) => _log = log;

    [SkippableTheory]
    [InlineData("c1")]
    [InlineData("c2")]
    [InlineData("c3")]
    [InlineData("c5")]
    [InlineData("c6")]
    public void RefineCaseMatchesOfficialPyTorch(string name)
    {
        var refCase = BgmReference.Load(name);
        var weights = BgmSyntheticWeights.For(refCase.Backbone);
        var outputs = RunRefine(BgmNetwork.FromWeights(weights), refCase);
        var failures = new List<string>();

        // Selection: ref_sm exact (up to the listed near-boundary patches), idx in nonzero order.
        int wq = refCase.Width / 4, hq = refCase.Height / 4;
        var refSm = outputs["ref_sm"];
        var expectedRef = refCase.Bytes("ref_sm");
        var mayFlip = refCase.MayFlip();
        var flipped = new HashSet<(int, int)>();
        for (int i = 0; i < expectedRef.Length; i++)
            if (expectedRef[i] != refSm[i])
            {
                var p = (i / wq, i % wq);
                if (mayFlip.Contains(p)) flipped.Add(p);
                else failures.Add($"patch {p} selected {refSm[i]}, official {expectedRef[i]}");
            }
        _log.WriteLine($"{refCase}: {refSm.Count(v => v != 0)} patches selected (official {expectedRef.Count(v => v != 0)}), {flipped.Count} near-boundary flips");
        if (refCase.Has("idx"))
        {
            var expected = refCase.Ints("idx");
            var actual = outputs["idx"];
            if (flipped.Count == 0)
            {
                Assert.Equal(expected.Length / 3, actual.Length / 2);
                for (int p = 0; p < expected.Length / 3; p++)
                    if (expected[3 * p] != 0 || expected[3 * p + 1] != (int)actual[2 * p] || expected[3 * p + 2] != (int)actual[2 * p + 1])
                    {
                        failures.Add($"patch #{p} is ({actual[2 * p]}, {actual[2 * p + 1]}), official ({expected[3 * p + 1]}, {expected[3 * p + 2]})");
                        break;
                    }
            }
        }

        var excluded = new bool[hq * wq];
        foreach (var (y, x) in flipped) excluded[y * wq + x] = true;
        foreach (var (key, channels, max, mean) in new[]
                 {
                     ("pha", 1, FineMax, FineMean), ("fgr", 3, FineMax, FineMean),
                     ("pha_sm", 1, CoarseMax, 1.0), ("fgr_sm", 3, CoarseMax, 1.0), ("err_sm", 1, CoarseMax, 1.0),
                 })
            Compare(refCase, key, outputs[key], channels, key.EndsWith("_sm") ? null : excluded, max, mean, failures);
        if (refCase.Has("decoder_raw"))
            Compare(refCase, "decoder_raw", outputs["decoder_raw"], 37, null, CoarseMax, 1.0, failures);
        if (refCase.Has("refined_patches"))
            Compare(refCase, "refined_patches", outputs["patches"], 4, null, PatchesMax, 1.0, failures);
        Assert.True(failures.Count == 0, string.Join("; ", failures.Take(10)));
    }

    [SkippableFact]
    public void BaseNetworkMatchesOfficialMattingBase()
    {
        var refCase = BgmReference.Load("c4");
        var network = BgmNetwork.FromWeights(BgmSyntheticWeights.For("mobilenetv2"));
        var outputs = Run(network.BuildBaseModel(refCase.Width, refCase.Height).OnnxBytes, refCase, "pha", "fgr", "err");
        var failures = new List<string>();
        Compare(refCase, "pha", outputs["pha"], 1, null, FineMax, FineMean, failures);
        Compare(refCase, "fgr", outputs["fgr"], 3, null, FineMax, FineMean, failures);
        Compare(refCase, "err", outputs["err"], 1, null, FineMax, FineMean, failures);
        Assert.True(failures.Count == 0, string.Join("; ", failures));
    }

    [SkippableFact]
    public void SyntheticFormulaMatchesEveryTensorOfTheWeightTables()
    {
        foreach (var backbone in new[] { "mobilenetv2", "resnet50" })
        {
            SharedData.SkipIfMissing(BgmSyntheticWeights.TablePath(backbone));
            var (gain, entries) = BgmSyntheticWeights.ReadTable(backbone);
            foreach (var e in entries)
            {
                var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(BgmSyntheticWeights.Values(e, gain).AsSpan());
                var sha = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes)).ToLowerInvariant();
                Assert.True(sha == e.Sha256, $"{backbone} {e.Key}: sha256 {sha}, table {e.Sha256}");
            }
            _log.WriteLine($"{backbone}: {entries.Length} tensors match their sha256");
        }
    }

    [SkippableFact]
    public void PthFileAndFormulaGiveIdenticalWeightsAndOutputs()
    {
        var path = SharedData.Path("models", "bgmv2_mobilenetv2_synthetic.pth");
        SharedData.SkipIfMissing(path);
        var fromFile = PyTorchCheckpoint.Read(path);
        var fromFormula = BgmSyntheticWeights.For("mobilenetv2");
        foreach (var key in fromFormula.Keys)
            Assert.True(fromFile.Get(key).Data.AsSpan().SequenceEqual(fromFormula.Get(key).Data), $"{key} differs");
        var refCase = BgmReference.Load("c6");
        var a = RunRefine(BgmNetwork.FromWeights(fromFile), refCase);
        var b = RunRefine(BgmNetwork.FromWeights(fromFormula), refCase);
        foreach (var key in new[] { "pha", "fgr", "err_sm", "ref_sm" })
            Assert.True(a[key].AsSpan().SequenceEqual(b[key]), $"{key} differs between .pth and formula weights");
        Assert.Equal(BgmBackbone.MobileNetV2, BgmNetwork.FromWeights(fromFile).Backbone);
    }

    private static Dictionary<string, float[]> RunRefine(BgmNetwork network, BgmReference refCase)
    {
        var args = refCase.ModelArgs;
        var mode = args.GetProperty("refine_mode").GetString() switch
        {
            "full" => RefineMode.Full,
            "sampling" => RefineMode.Sampling,
            _ => RefineMode.Thresholding,
        };
        var geo = new BgmGeometry(refCase.Width, refCase.Height, args.GetProperty("backbone_scale").GetDouble(), mode,
            args.GetProperty("refine_sample_pixels").GetInt32(), (float)args.GetProperty("refine_threshold").GetDouble());
        var names = new List<string> { "pha", "fgr", "pha_sm", "fgr_sm", "err_sm", "ref_sm", "decoder_raw" };
        if (mode != RefineMode.Full) names.AddRange(new[] { "idx", "patches" });
        return Run(network.BuildModel(geo, withInternals: true).OnnxBytes, refCase, names.ToArray());
    }

    /// <summary>Runs a graph on the case's frame and plate; int64 outputs come back converted to float.</summary>
    private static Dictionary<string, float[]> Run(byte[] model, BgmReference refCase, params string[] outputNames)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 2 };
        using var session = new InferenceSession(model, options);
        var shape = new long[] { 1, refCase.Height, refCase.Width, 3 };
        using var src = OrtValue.CreateTensorValueFromMemory(refCase.InputRgb24("src"), shape);
        using var bgr = OrtValue.CreateTensorValueFromMemory(refCase.InputRgb24("bgr"), shape);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, new[] { "src", "bgr" }, new[] { src, bgr }, outputNames);
        var outputs = new Dictionary<string, float[]>();
        for (int i = 0; i < outputNames.Length; i++)
        {
            var v = results[i];
            outputs[outputNames[i]] = v.GetTensorTypeAndShape().ElementDataType == TensorElementType.Int64
                ? v.GetTensorDataAsSpan<long>().ToArray().Select(x => (float)x).ToArray()
                : v.GetTensorDataAsSpan<float>().ToArray();
        }
        return outputs;
    }

    /// <summary>
    /// Compares a full output with what the case stores: the whole tensor, or 128x128 windows plus 8x8 block means.
    /// <paramref name="excluded"/> (per 4x4 patch) leaves out blocks whose selection may legitimately differ.
    /// </summary>
    private void Compare(BgmReference refCase, string key, float[] actual, int channels, bool[]? excluded,
        double maxTol, double meanTol, List<string> failures)
    {
        if (!refCase.Has(key)) return;
        var expected = refCase.Floats(key);
        int w = refCase.Width, h = refCase.Height;
        bool Excluded(int y, int x) => excluded is not null && excluded[y / 4 * (w / 4) + x / 4];
        if (!refCase.IsWindowed(key))
        {
            Assert.Equal(expected.Length, actual.Length);
            bool perPixel = excluded is not null && actual.Length == channels * w * h;
            Check(key, i => perPixel && Excluded(i % (w * h) / w, i % w) ? (double?)null : Math.Abs(actual[i] - expected[i]), expected.Length, maxTol, meanTol, failures);
            return;
        }
        var windows = refCase.Windows;
        Check(key + " (windows)", q =>
        {
            int j = q / (channels * 128 * 128), r = q % (channels * 128 * 128);
            int c = r / (128 * 128), y = windows[j].Y + r % (128 * 128) / 128, x = windows[j].X + r % 128;
            return Excluded(y, x) ? null : Math.Abs(actual[c * w * h + y * w + x] - expected[q]);
        }, expected.Length, maxTol, meanTol, failures);
        var means = refCase.Floats(key + "_mean8");
        int w8 = w / 8, h8 = h / 8;
        Check(key + " (8x8 means)", q =>
        {
            int c = q / (w8 * h8), by = q % (w8 * h8) / w8, bx = q % w8;
            double sum = 0;
            for (int y = 0; y < 8; y++)
                for (int x = 0; x < 8; x++)
                {
                    if (Excluded(by * 8 + y, bx * 8 + x)) return null;
                    sum += actual[c * w * h + (by * 8 + y) * w + bx * 8 + x];
                }
            return Math.Abs((float)(sum / 64) - means[q]);
        }, means.Length, maxTol, meanTol, failures);
    }

    private void Check(string what, Func<int, double?> difference, int count, double maxTol, double meanTol, List<string> failures)
    {
        double max = 0, sum = 0;
        int compared = 0;
        for (int i = 0; i < count; i++)
        {
            if (difference(i) is not { } d) continue;
            if (!(d <= max)) max = double.IsNaN(d) ? double.PositiveInfinity : d;
            sum += d;
            compared++;
        }
        double mean = sum / Math.Max(1, compared);
        _log.WriteLine($"  {what}: max {max:E2} mean {mean:E2} ({compared} values)");
        if (compared == 0) failures.Add($"{what}: nothing compared");
        if (max > maxTol || mean > meanTol) failures.Add($"{what}: max {max:E2} (tol {maxTol:E0}), mean {mean:E2} (tol {meanTol:E0})");
    }
}
