namespace MatteKit;

/// <summary>How the network's low-resolution mask is brought to the frame's size.</summary>
public enum SelfieEdge
{
    /// <summary>A fast guided filter guided by the frame, so the edge follows the picture (the default).</summary>
    GuidedFilter,

    /// <summary>Plain bilinear upsampling, as MediaPipe's own pipeline does.</summary>
    Bilinear,
}
