
namespace MatteKit;

/// <summary>How a <see cref="PlateMatter"/> runs BGMv2.</summary>
public sealed record PlateMatterOptions
{
    /// <summary>Threads ONNX Runtime may use inside one operator; 0 = one per core.</summary>
    public int Threads { get; init; }

    /// <summary>Which patches the refiner recomputes (official default: sampling).</summary>
    public RefineMode RefineMode { get; init; } = RefineMode.Sampling;

    /// <summary>Sampling mode: pixels refined per frame, in 4x4 patches (official HD setting 80,000 = 5,000 patches).</summary>
    public int RefineSamplePixels { get; init; } = 80_000;

    /// <summary>Thresholding mode: patches whose predicted error exceeds this are refined.</summary>
    public float RefineThreshold { get; init; } = 0.1f;

    /// <summary>Scale of the base network's input; null = 0.25, or 0.125 for frames above 2560 px (4K).</summary>
    public double? BackboneScale { get; init; }

    /// <summary>Sessions kept for other frame sizes before the least recently used is dropped.</summary>
    public int MaxCachedSizes { get; init; } = 2;

    /// <summary>Checks the values against their ranges, naming each as the command line does.</summary>
    /// <exception cref="ArgumentException">One line naming the option and the problem.</exception>
    public void Validate()
    {
        if (RefineSamplePixels < 16)
            throw new ArgumentException($"RefineSamplePixels must be at least 16 (one 4x4 patch), got {RefineSamplePixels}");
        if (!(RefineThreshold >= 0 && RefineThreshold < 1)) throw new ArgumentException($"RefineThreshold must be a number in [0, 1), got {RefineThreshold}");
        if (BackboneScale is { } s && !(s > 0 && s <= 1)) throw new ArgumentException($"BackboneScale must be a number in (0, 1], got {s}");
        if (Threads < 0) throw new ArgumentException($"Threads must not be negative, got {Threads}");
    }
}
