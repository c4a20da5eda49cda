using MatteKit.Inference;
using MatteKit.Rvm;
using MatteKit.Tests.TestSupport;
using MatteKit.Training.Network;
using MatteKit.Weights;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MatteKit.Tests.Training;

/// <summary>
/// The TorchSharp network in eval mode against the official PyTorch outputs (the reference cases MatteKit's
/// inference graph is held to, with the same tolerances), and directly against MatteKit's graph.
/// </summary>
[Trait("Needs", "shared")]
[Collection(TorchCollection.Name)]
public sealed class NetworkEquivalenceTests
{
    private readonly ITestOutputHelper _log;

    public NetworkEquivalenceTests(ITestOutputHelper log) => _log = log;

    public static IEnumerable<object[]> Cases() => new[]
    {
        new object[] { "rvm_mobilenetv3", "a", "embedded" },
        new object[] { "rvm_mobilenetv3", "c", "embedded" },
        new object[] { "rvm_mobilenetv3", "e", "pth" },
        new object[] { "rvm_variants", "a_dgf_1280x720", "formula" },
        new object[] { "rvm_variants", "a_seg_512x288", "formula" },
        new object[] { "rvm_variants", "b_512x288", "formula" },
        new object[] { "rvm_variants", "b_640x360", "formula" },
        new object[] { "rvm_variants", "b_seg_512x288", "formula" },
    };

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void EvalModeMatchesOfficialPyTorch(string folderName, string caseName, string weights)
    {
        var folder = SharedData.Reference(folderName);
        var refCase = SharedData.ReferenceCaseOrSkip(folder, caseName);
        var set = refCase.Model switch
        {
            "a" => SyntheticRvmWeights.ModelA(TestWeights.Default),
            "b" => SyntheticRvmWeights.ModelB,
            _ => weights == "pth" ? TestWeights.FromPth() : TestWeights.Default,
        };
        var tolerances = refCase.Model is null ? ReferenceCase.LoadTolerances(folder) : ReferenceCase.LoadTolerances(folder, refCase.Model);
        var cmp = new ReferenceComparison(refCase, tolerances, _log, "TorchSharp " + weights);
        var refiner = DeepGuidedFilter.IsIn(set) ? RvmRefiner.DeepGuidedFilter : RvmRefiner.FastGuidedFilter;
        using var scope = NewDisposeScope();
        var network = NetworkWeights.Create(set, refiner, out _);
        network.eval();
        Tensor?[] states = new Tensor?[4];
        using (no_grad())
        {
            for (int i = 0; i < refCase.Frames.Length; i++)
            {
                var frame = TorchFrames.FromRgb24(refCase.SourceRgb24(i), refCase.Width, refCase.Height);
                Tensor[] next;
                if (refCase.SegmentationPass)
                {
                    (var logits, next) = network.Segment(frame, states);
                    cmp.Compare(i, "seg", TorchFrames.Values(logits), 1);
                }
                else
                {
                    (var fgr, var pha, next) = network.Matte(frame, states, refCase.DownsampleRatio);
                    cmp.Compare(i, "fgr", TorchFrames.Values(fgr), 3);
                    cmp.Compare(i, "pha", TorchFrames.Values(pha), 1);
                }
                for (int s = 0; s < 4; s++) cmp.Compare(i, $"r{s + 1}", TorchFrames.Values(next[s]), 0);
                states = next;
            }
        }
        cmp.AssertAll(refCase.SegmentationPass ? "seg" : "pha", "r4");
    }

    /// <summary>
    /// Frame by frame against MatteKit's ONNX graph on reference case c (333x197 at ratio 0.6, the fast guided
    /// filter, a network size that is odd): the two agree within the tolerances the reference README derives for
    /// another float32 engine (fgr max 1e-3, pha max 2e-3, means 5e-6).
    /// </summary>
    [SkippableFact]
    public void EvalModeMatchesMatteKitGraph()
    {
        var refCase = SharedData.ReferenceCaseOrSkip(SharedData.Reference("rvm_mobilenetv3"), "c");
        int width = refCase.Width, height = refCase.Height;
        double ratio = refCase.DownsampleRatio;
        using var matter = VideoMatter.Load(TestWeights.Default, new MatterOptions { Threads = 2 });
        using var scope = NewDisposeScope();
        var network = NetworkWeights.Create(TestWeights.Default, RvmRefiner.FastGuidedFilter, out var initialised);
        Assert.Equal(new[] { "project_seg.conv.weight", "project_seg.conv.bias" }, initialised);
        network.eval();
        Tensor?[] states = new Tensor?[4];
        double worstPha = 0, worstFgr = 0, worstMean = 0;
        using (no_grad())
        {
            for (int i = 0; i < refCase.Frames.Length; i++)
            {
                var rgb = refCase.SourceRgb24(i);
                var graph = matter.Process(rgb, width, height, ratio);
                var (fgr, pha, next) = network.Matte(TorchFrames.FromRgb24(rgb, width, height), states, ratio);
                states = next;
                var (pMax, pMean) = AbsDifference.Of(graph.Alpha.ToArray(), TorchFrames.Values(pha));
                var (fMax, fMean) = AbsDifference.Of(graph.Foreground.ToArray(), TorchFrames.Values(fgr));
                _log.WriteLine($"frame {i}: |TorchSharp - MatteKit graph| pha max {pMax:E2} mean {pMean:E2}, fgr max {fMax:E2} mean {fMean:E2}");
                worstPha = Math.Max(worstPha, pMax);
                worstFgr = Math.Max(worstFgr, fMax);
                worstMean = Math.Max(worstMean, Math.Max(pMean, fMean));
            }
        }
        Assert.True(worstPha <= 2e-3 && worstFgr <= 1e-3 && worstMean <= 5e-6, $"pha {worstPha:E2}, fgr {worstFgr:E2}, mean {worstMean:E2}");
    }
}
