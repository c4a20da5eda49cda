namespace MatteKit;

/// <summary>Which 4x4 patches BGMv2's refiner recomputes at full resolution.</summary>
public enum RefineMode
{
    /// <summary>Every patch: the refiner runs over the whole frame.</summary>
    Full,

    /// <summary>The patches with the largest predicted error, at most <c>sample pixels / 16</c> of them, never one with error 0.</summary>
    Sampling,

    /// <summary>Every patch whose predicted error exceeds a threshold.</summary>
    Thresholding,
}
