using MatteKit.Weights;

namespace MatteKit.Tests.TestSupport;

/// <summary>Weight sets shared by tests, read once per test run.</summary>
public static class TestWeights
{
    private static readonly Lazy<WeightSet> Embedded = new(TfjsGraphModel.ReadEmbeddedDefault);
    private static readonly Lazy<WeightSet> Pth = new(() => PyTorchCheckpoint.Read(PthPath));

    public static string PthPath => SharedData.Path("models", "rvm_mobilenetv3_fgf.pth");

    /// <summary>The embedded default model (official TF.js RVM MobileNetV3).</summary>
    public static WeightSet Default => Embedded.Value;

    /// <summary>The same weights as a PyTorch state_dict from shared/; skips when absent.</summary>
    public static WeightSet FromPth()
    {
        SharedData.SkipIfMissing(PthPath);
        return Pth.Value;
    }

    public static WeightSet ByName(string name) => name switch
    {
        "tfjs" => Default,
        "pth" => FromPth(),
        _ => throw new ArgumentException(name),
    };
}
