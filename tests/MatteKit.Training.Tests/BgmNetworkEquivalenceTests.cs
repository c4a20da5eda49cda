using MatteKit.Bgm;
using MatteKit.Tests.TestSupport;
using MatteKit.Training.Bgm;
using MatteKit.Weights;
using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;
using PatchRefiner = MatteKit.Training.Bgm.PatchRefiner;
using static TorchSharp.torch;

namespace MatteKit.Tests.Training;

/// <summary>
/// The TorchSharp BGMv2 network in eval mode against the official PyTorch outputs of <c>shared/reference/bgmv2</c>
/// (synthetic formula weights; the tolerances its README suggests, which MatteKit's inference graph is held to), and
/// directly against MatteKit's ONNX graph; its <c>.pth</c> files keep the official keys, order and values.
/// </summary>
[Trait("Needs", "shared")]
[Collection(TorchCollection.Name)]
public sealed class BgmNetworkEquivalenceTests
{
    // README "Suggested tolerances": coarse outputs 1e-4 max; pha/fgr 1e-3 max, 2e-6 mean.
    private const double CoarseMax = 1e-4, FineMax = 1e-3, FineMean = 2e-6;

    private readonly ITestOutputHelper _log;

    public BgmNetworkEquivalenceTests(ITestOutputHelper log) => _log = log;

    [SkippableTheory]
    [InlineData("c1")]
    [InlineData("c2")]
    [InlineData("c3")]
    [InlineData("c5")]
    [InlineData("c6")]
    public void EvalModeRefineMatchesOfficialMattingRefine(string name)
    {
        var refCase = BgmReference.Load(name);
        using var scope = NewDisposeScope();
        var network = Network(refCase, BgmSyntheticWeights.For(refCase.Backbone));
        BgmRefineOutput output;
        using (no_grad()) output = network.Refine(Input(refCase, "src"), Input(refCase, "bgr"));

        var check = new BgmOutputCheck(refCase, _log);
        int wq = refCase.Width / 4, hq = refCase.Height / 4;
        var selected = TorchFrames.Values(output.Selected);
        var expectedSelected = refCase.Bytes("ref_sm");
        var mayFlip = refCase.MayFlip();
        var excluded = new bool[hq * wq];
        int flips = 0;
        for (int i = 0; i < expectedSelected.Length; i++)
            if (expectedSelected[i] != selected[i])
            {
                if (mayFlip.Contains((i / wq, i % wq))) { excluded[i] = true; flips++; }
                else check.Failures.Add($"patch ({i / wq}, {i % wq}) selected {selected[i]}, official {expectedSelected[i]}");
            }
        _log.WriteLine($"{refCase}: {selected.Count(v => v != 0)} patches selected (official {expectedSelected.Count(v => v != 0)}), {flips} near-boundary flips");
        if (refCase.Has("idx") && flips == 0)
        {
            // The patch batch runs in nonzero order (batch, y, x): the same list as the official one.
            var idx = output.Selected.squeeze(1).nonzero().to(ScalarType.Int32).data<int>().ToArray();
            Assert.Equal(refCase.Ints("idx"), idx);
        }

        check.Compare("pha", TorchFrames.Values(output.Alpha), 1, excluded, FineMax, FineMean);
        check.Compare("fgr", TorchFrames.Values(output.Foreground), 3, excluded, FineMax, FineMean);
        check.Compare("pha_sm", TorchFrames.Values(output.AlphaSmall), 1, null, CoarseMax, 1);
        check.Compare("fgr_sm", TorchFrames.Values(output.ForegroundSmall), 3, null, CoarseMax, 1);
        check.Compare("err_sm", TorchFrames.Values(output.ErrorSmall), 1, null, CoarseMax, 1);
        Assert.True(check.Failures.Count == 0, string.Join("; ", check.Failures.Take(10)));
    }

    [SkippableFact]
    public void EvalModeBaseMatchesOfficialMattingBase()
    {
        var refCase = BgmReference.Load("c4");
        using var scope = NewDisposeScope();
        var network = new BgmMattingNetwork(BgmBackbone.MobileNetV2, refiner: null);
        var fresh = BgmNetworkWeights.Load(network, BgmSyntheticWeights.For("mobilenetv2"));
        Assert.Empty(fresh);
        network.eval();
        BgmBaseOutput output;
        using (no_grad()) output = network.Base(Input(refCase, "src"), Input(refCase, "bgr"));
        var check = new BgmOutputCheck(refCase, _log);
        check.Compare("pha", TorchFrames.Values(output.Alpha), 1, null, FineMax, FineMean);
        check.Compare("fgr", TorchFrames.Values(output.Foreground), 3, null, FineMax, FineMean);
        check.Compare("err", TorchFrames.Values(output.Error), 1, null, FineMax, FineMean);
        Assert.True(check.Failures.Count == 0, string.Join("; ", check.Failures));
    }

    /// <summary>
    /// Against MatteKit's ONNX graph on c6 (sampling) and c5 (ResNet-50, thresholding): the same patches, outputs
    /// within the tolerances the reference README suggests between float32 engines.
    /// </summary>
    [SkippableTheory]
    [InlineData("c5")]
    [InlineData("c6")]
    public void EvalModeMatchesMatteKitGraph(string name)
    {
        var refCase = BgmReference.Load(name);
        var weights = BgmSyntheticWeights.For(refCase.Backbone);
        using var scope = NewDisposeScope();
        var network = Network(refCase, weights);
        BgmRefineOutput output;
        using (no_grad()) output = network.Refine(Input(refCase, "src"), Input(refCase, "bgr"));

        var geo = new BgmGeometry(refCase.Width, refCase.Height, network.BackboneScale, network.Refiner!.Mode,
            network.Refiner.SamplePixels, network.Refiner.Threshold);
        using var options = new SessionOptions { IntraOpNumThreads = 2 };
        using var session = new InferenceSession(BgmNetwork.FromWeights(weights).BuildModel(geo).OnnxBytes, options);
        var shape = new long[] { 1, refCase.Height, refCase.Width, 3 };
        using var src = OrtValue.CreateTensorValueFromMemory(refCase.InputRgb24("src"), shape);
        using var bgr = OrtValue.CreateTensorValueFromMemory(refCase.InputRgb24("bgr"), shape);
        using var runOptions = new RunOptions();
        string[] names = { "pha", "fgr", "err_sm", "ref_sm" };
        using var results = session.Run(runOptions, new[] { "src", "bgr" }, new[] { src, bgr }, names);
        var failures = new List<string>();
        var ours = new[] { output.Alpha, output.Foreground, output.ErrorSmall, output.Selected };
        double[] tolerances = { FineMax, FineMax, CoarseMax, 0 };
        for (int i = 0; i < names.Length; i++)
        {
            var (max, mean) = AbsDifference.Of(results[i].GetTensorDataAsSpan<float>(), TorchFrames.Values(ours[i]));
            _log.WriteLine($"{name} |TorchSharp - MatteKit graph| {names[i]}: max {max:E2}, mean {mean:E2}");
            if (max > tolerances[i] || (i < 2 && mean > FineMean)) failures.Add($"{names[i]} max {max:E2}, mean {mean:E2}");
        }
        Assert.True(failures.Count == 0, string.Join("; ", failures));
    }

    /// <summary>
    /// The official <c>.pth</c> loads with no key missing or left over, and a saved one holds exactly the official
    /// keys in state-dict order (including the int64 <c>num_batches_tracked</c>) with identical values.
    /// </summary>
    [SkippableFact]
    public void PthLoadsStrictlyAndSavesTheOfficialStateDict()
    {
        var path = SharedData.Path("models", "bgmv2_mobilenetv2_synthetic.pth");
        SharedData.SkipIfMissing(path);
        SharedData.SkipIfMissing(BgmSyntheticWeights.TablePath("mobilenetv2"));
        var official = PyTorchCheckpoint.Read(path);
        using var scope = NewDisposeScope();
        var network = new BgmMattingNetwork(BgmNetworkWeights.BackboneOf(official), new PatchRefiner(BgmMattingNetwork.HiddenChannels, RefineMode.Sampling, 80_000, 0.1f));
        Assert.Empty(BgmNetworkWeights.Load(network, official));

        using var table = System.Text.Json.JsonDocument.Parse(File.ReadAllText(BgmSyntheticWeights.TablePath("mobilenetv2")));
        var officialOrder = table.RootElement.GetProperty("tensors").EnumerateArray().Select(t => t.GetProperty("key").GetString()!).ToArray();
        Assert.Equal(officialOrder, BgmNetworkWeights.StateDict(network).Select(e => e.Key).ToArray());

        var saved = Path.Combine(Path.GetTempPath(), $"mattekit-bgm-{Guid.NewGuid():N}.pth");
        try
        {
            BgmNetworkWeights.SavePth(network, saved);
            var back = PyTorchCheckpoint.Read(saved);
            Assert.Equal(official.Keys.OrderBy(k => k, StringComparer.Ordinal), back.Keys.OrderBy(k => k, StringComparer.Ordinal));
            foreach (var key in official.Keys)
                Assert.True(official.Get(key).Data.AsSpan().SequenceEqual(back.Get(key).Data), $"{key} differs after a save");
            _log.WriteLine($"{official.Count} tensors saved and read back identical; state-dict order = the official {officialOrder.Length} keys");

            // The whole network's weights start a base network too (the refiner's are not used there).
            var baseNetwork = new BgmMattingNetwork(BgmBackbone.MobileNetV2, refiner: null);
            Assert.Empty(BgmNetworkWeights.Load(baseNetwork, back));
            Assert.DoesNotContain(baseNetwork.state_dict().Keys, k => k.StartsWith("refiner.", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(saved);
        }
    }

    /// <summary>The case's network in eval mode: backbone, mode, scale, budget and threshold from its model arguments.</summary>
    private static BgmMattingNetwork Network(BgmReference refCase, WeightSet weights)
    {
        var args = refCase.ModelArgs;
        var mode = args.GetProperty("refine_mode").GetString() switch
        {
            "full" => RefineMode.Full,
            "sampling" => RefineMode.Sampling,
            _ => RefineMode.Thresholding,
        };
        var refiner = new PatchRefiner(BgmMattingNetwork.HiddenChannels, mode, args.GetProperty("refine_sample_pixels").GetInt32(),
            (float)args.GetProperty("refine_threshold").GetDouble());
        var network = new BgmMattingNetwork(BgmNetworkWeights.BackboneOf(weights), refiner, args.GetProperty("backbone_scale").GetDouble());
        Assert.Empty(BgmNetworkWeights.Load(network, weights));
        network.eval();
        return network;
    }

    private static Tensor Input(BgmReference refCase, string role)
        => TorchFrames.FromRgb24(refCase.InputRgb24(role), refCase.Width, refCase.Height).squeeze(0);
}
