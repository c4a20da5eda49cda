namespace MatteKit.Rvm;

/// <summary>How a matting graph hands out foreground and alpha.</summary>
internal enum MatteOutputs
{
    /// <summary>One float tensor <c>matte</c> [T, 4, H, W]: foreground RGB then alpha, each in 0..1.</summary>
    Combined,

    /// <summary><c>fgr</c> [T, 3, H, W] and <c>pha</c> [T, 1, H, W], floats in 0..1: the official exports' interface.</summary>
    Separate,

    /// <summary>
    /// Bytes as encoders take them: <c>fgr</c> [T, H, W, 3] interleaved RGB and <c>pha</c> [T, 1, H, W], rounded
    /// half to even and saturated by the graph.
    /// </summary>
    Bytes,
}
