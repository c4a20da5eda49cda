namespace MatteKit.Rvm;

/// <summary>Which head a graph ends in. Both passes run the same encoder and decoder and update the same states.</summary>
internal enum NetworkPass
{
    /// <summary><c>project_mat</c>: foreground residual and alpha, refined when downsampled.</summary>
    Matting,

    /// <summary><c>project_seg</c>: one channel of person-segmentation logits at network resolution.</summary>
    Segmentation,
}
