using MatteKit.Weights;

namespace MatteKit.Tests.TestSupport;

/// <summary>Weight sets shared by tests, read once per test run.</summary>
public static class TestWeights
{
    private static readonly Lazy<WeightSet> Embedded = new(TfjsGraphModel.ReadEmbeddedDefault);
    private static readonly Lazy<WeightSet> Pth = new(ReadPth);

    public static string PthPath => SharedData.Path("models", "rvm_mobilenetv3_fgf.pth");

    /// <summary>The embedded default model (official TF.js RVM MobileNetV3).</summary>
    public static WeightSet Default => Embedded.Value;

    /// <summary>The same weights as a PyTorch state_dict from shared/; skips when absent.</summary>
    /// <summary>
    /// The official-key <c>.pth</c> of the default model: shared/'s file when it is there, else the same tensors
    /// (the TF.js ones dequantised, which is how shared/'s file was made) written as a .pth here and read back,
    /// so the .pth reader runs on a fresh clone too.
    /// </summary>
    public static WeightSet FromPth() => Pth.Value;

    private static WeightSet ReadPth()
    {
        if (File.Exists(PthPath)) return PyTorchCheckpoint.Read(PthPath);
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"mattekit-default-{Environment.ProcessId}.pth");
        try
        {
            PthWriter.Write(path, Default.Keys.Select(k => Default.Get(k)));
            return PyTorchCheckpoint.Read(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static WeightSet ByName(string name) => name switch
    {
        "tfjs" => Default,
        "pth" => FromPth(),
        _ => throw new ArgumentException(name),
    };
}
