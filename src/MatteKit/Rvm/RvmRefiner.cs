namespace MatteKit;

/// <summary>How a downsampled result is brought back to full resolution (ratio != 1).</summary>
public enum RvmRefiner
{
    /// <summary>Fast guided filter: no weights, coefficients from local statistics.</summary>
    FastGuidedFilter,

    /// <summary>Deep guided filter: learned box filter and a small 1x1 conv net on the hidden features (<c>refiner.*</c>).</summary>
    DeepGuidedFilter,
}
