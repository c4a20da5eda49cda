
namespace MatteKit;

/// <summary>How a <see cref="VideoMatter"/> runs the network.</summary>
public sealed record MatterOptions
{
    /// <summary>Threads ONNX Runtime may use inside one operator; 0 = one per core.</summary>
    public int Threads { get; init; }

    /// <summary>
    /// Let ONNX Runtime's worker threads spin while waiting for work (its default, fastest when the network has
    /// the cores to itself). Turn off when other busy threads share the cores, e.g. decoders and encoders running
    /// alongside: spinning workers then take time from them, and a preempted worker stalls the others.
    /// </summary>
    public bool SpinWhileIdle { get; init; } = true;

    /// <summary>Sessions kept for other frame sizes before the least recently used is dropped.</summary>
    public int MaxCachedSizes { get; init; } = 4;

    /// <summary>
    /// The refiner for ratios below 1; null = the deep guided filter when the weights hold one, else the fast guided
    /// filter. Not for ONNX files, which run the refiner they were exported with.
    /// </summary>
    public RvmRefiner? Refiner { get; init; }

    /// <summary>
    /// Calibrated activation ranges: when set, the encoder and LR-ASPP run in int8 (see
    /// <see cref="Onnx.Int8Quantization"/>); null = float32 throughout.
    /// </summary>
    internal Onnx.ActivationRanges? Int8Ranges { get; init; }
}
