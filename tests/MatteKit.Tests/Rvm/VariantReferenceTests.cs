using System.Security.Cryptography;
using System.Text.Json;
using MatteKit.Inference;
using MatteKit.Tests.TestSupport;
using MatteKit.Weights;
using Xunit.Abstractions;

namespace MatteKit.Tests.Rvm;

/// <summary>
/// The deep guided filter, the segmentation head and the ResNet50 model against the official PyTorch outputs in
/// <c>shared/reference/rvm_variants</c> (synthetic weights from the README's formula, or the shipped .pth of
/// model a), with the per-model tolerances of its manifest; prints the measured differences.
/// </summary>
[Trait("Needs", "shared")]
public sealed class VariantReferenceTests
{
    private static readonly string Folder = SharedData.Reference("rvm_variants");
    private static string ModelAPth => SharedData.Path("models", "rvm_mobilenetv3_dgf_seg_synthetic.pth");
    private readonly ITestOutputHelper _log;

    public VariantReferenceTests(ITestOutputHelper log) => _log = log;

    public static IEnumerable<object[]> Cases()
    {
        foreach (var name in new[] { "a_dgf_1280x720", "a_seg_512x288" })
            foreach (var weights in new[] { "formula", "pth" })
                yield return new object[] { name, weights };
        foreach (var name in new[] { "b_512x288", "b_640x360", "b_seg_512x288" })
            yield return new object[] { name, "formula" };
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void MatchesOfficialPyTorch(string caseName, string weights)
    {
        var refCase = SharedData.ReferenceCaseOrSkip(Folder, caseName);
        var set = refCase.Model == "b" ? SyntheticRvmWeights.ModelB
            : weights == "pth" ? LoadModelAPth() : SyntheticRvmWeights.ModelA(TestWeights.Default);
        var cmp = new ReferenceComparison(refCase, ReferenceCase.LoadTolerances(Folder, refCase.Model!), _log, weights);
        using var matter = VideoMatter.Load(set, new MatterOptions { Threads = 2 });
        for (int i = 0; i < refCase.Frames.Length; i++)
        {
            var frame = refCase.SourceRgb24(i);
            if (refCase.SegmentationPass)
            {
                var seg = matter.Segment(frame, refCase.Width, refCase.Height, refCase.DownsampleRatio);
                cmp.Compare(i, "seg", seg.Logits, 1);
            }
            else
            {
                var result = matter.Process(frame, refCase.Width, refCase.Height, refCase.DownsampleRatio);
                cmp.Compare(i, "fgr", result.Foreground, 3);
                cmp.Compare(i, "pha", result.Alpha, 1);
            }
            for (int s = 0; s < 4; s++) cmp.Compare(i, $"r{s + 1}", matter.RecurrentState(s), 0);
        }
        cmp.AssertAll(refCase.SegmentationPass ? "seg" : "pha", "r4");
    }

    /// <summary>
    /// Model a has both refiners' inputs: with the fast guided filter asked for, it is the TF.js model again and must
    /// match the fast-guided-filter reference (<c>rvm_mobilenetv3</c> case c, 333x197 @0.6); the deep one must not.
    /// </summary>
    [SkippableFact]
    public void RefinerOverrideChoosesTheFastGuidedFilter()
    {
        var folder = SharedData.Reference("rvm_mobilenetv3");
        var refCase = SharedData.ReferenceCaseOrSkip(folder, "c");
        var modelA = SyntheticRvmWeights.ModelA(TestWeights.Default);
        var fast = new ReferenceComparison(refCase, ReferenceCase.LoadTolerances(folder), _log, "model a, --refiner fast");
        using var fastMatter = VideoMatter.Load(modelA, new MatterOptions { Threads = 2, Refiner = MatteKit.RvmRefiner.FastGuidedFilter });
        using var deepMatter = VideoMatter.Load(modelA, new MatterOptions { Threads = 2 });
        double deepMax = 0;
        for (int i = 0; i < refCase.Frames.Length; i++)
        {
            var frame = refCase.SourceRgb24(i);
            var r = fastMatter.Process(frame, refCase.Width, refCase.Height, refCase.DownsampleRatio);
            fast.Compare(i, "pha", r.Alpha, 1);
            fast.Compare(i, "fgr", r.Foreground, 3);
            var fastAlpha = r.Alpha.ToArray();
            var d = deepMatter.Process(frame, refCase.Width, refCase.Height, refCase.DownsampleRatio);
            for (int k = 0; k < fastAlpha.Length; k++) deepMax = Math.Max(deepMax, Math.Abs(fastAlpha[k] - d.Alpha[k]));
        }
        _log.WriteLine($"deep vs fast guided filter on case c: max alpha difference {deepMax:E2}");
        fast.AssertAll("pha", "fgr");
        Assert.True(deepMax > 1e-2, "the default refiner of model a is not the deep guided filter");
    }

    [SkippableFact]
    public void FormulaReproducesTheManifestChecksums()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(System.IO.Path.Combine(Folder, "manifest.json")));
        var models = doc.RootElement.GetProperty("models");

        var b = SyntheticRvmWeights.ModelB;
        var keysB = SyntheticRvmWeights.ModelBKeys().Select(t => t.Key).ToArray();
        var listed = models.GetProperty("b").GetProperty("keys").EnumerateArray().Select(e => e.GetProperty("key").GetString()).ToArray();
        Assert.Equal(listed, keysB);
        using var all = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var key in keysB) all.AppendData(Bytes(b.Get(key).Data));
        Assert.Equal(models.GetProperty("b").GetProperty("all_float_tensors_sha256").GetString(), Convert.ToHexStringLower(all.GetHashAndReset()));

        var a = SyntheticRvmWeights.ModelA(TestWeights.Default);
        foreach (var row in models.GetProperty("a").GetProperty("keys").EnumerateArray())
        {
            var key = row.GetProperty("key").GetString()!;
            Assert.Equal(row.GetProperty("sha256_f32le").GetString(), Convert.ToHexStringLower(SHA256.HashData(Bytes(a.Get(key).Data))));
        }
    }

    [SkippableFact]
    public void OfficialPthWithDeepGuidedFilterAndSegmentationLoadsWithEveryKey()
    {
        var pth = LoadModelAPth();
        // Every key of the official module: 326 float tensors and 54 num_batches_tracked counters.
        Assert.Equal(380, pth.Count);
        Assert.Equal(54, pth.Keys.Count(k => k.EndsWith(".num_batches_tracked")));
        var formula = SyntheticRvmWeights.ModelA(TestWeights.Default);
        foreach (var key in formula.Keys)
            Assert.True(formula.Get(key).Data.AsSpan().SequenceEqual(pth.Get(key).Data), $"{key} differs from the formula / TF.js values");
        using var matter = VideoMatter.Load(pth);
        Assert.True(matter.HasSegmentation);
    }

    private static WeightSet LoadModelAPth()
    {
        SharedData.SkipIfMissing(ModelAPth);
        return PyTorchCheckpoint.Read(ModelAPth);
    }

    private static byte[] Bytes(float[] values)
    {
        var bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return bytes;
    }
}
