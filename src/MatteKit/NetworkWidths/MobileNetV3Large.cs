namespace MatteKit.NetworkWidths;

/// <summary>
/// MobileNetV3-Large as RVM uses it (torchvision's layer table, the last stage dilated instead of strided): the one
/// description both the network (<c>Rvm/MobileNetV3Encoder</c>) and the TF.js key map read.
/// </summary>
internal static class MobileNetV3Large
{
    /// <summary>torchvision's MobileNetV3 batch norm epsilon.</summary>
    public const float BatchNormEps = 0.001f;

    /// <summary>The same epsilon as PyTorch holds it (a double), for the training modules.</summary>
    public const double BatchNormEpsilon = 0.001;

    /// <summary>torchvision's MobileNetV3 batch norm momentum (the running statistics move 1% per training batch).</summary>
    public const double BatchNormMomentum = 0.01;

    /// <summary>Channels of the 3x3 stride-2 stem (<c>features.0</c>).</summary>
    public const int StemChannels = 16;

    /// <summary>Channels of the last 1x1 conv (<c>features.16</c>).</summary>
    public const int LastChannels = 960;

    /// <summary>
    /// Features 1..15: in, kernel, expanded, out, SE, hardswish, stride, dilation. The last three run at dilation 2
    /// with stride 1 (RVM's dilated variant keeps 1/16 resolution).
    /// </summary>
    public static readonly IReadOnlyList<MobileNetV3Stage> Stages = new MobileNetV3Stage[]
    {
        new(16, 3, 16, 16, false, false, 1, 1),
        new(16, 3, 64, 24, false, false, 2, 1),
        new(24, 3, 72, 24, false, false, 1, 1),
        new(24, 5, 72, 40, true, false, 2, 1),
        new(40, 5, 120, 40, true, false, 1, 1),
        new(40, 5, 120, 40, true, false, 1, 1),
        new(40, 3, 240, 80, false, true, 2, 1),
        new(80, 3, 200, 80, false, true, 1, 1),
        new(80, 3, 184, 80, false, true, 1, 1),
        new(80, 3, 184, 80, false, true, 1, 1),
        new(80, 3, 480, 112, true, true, 1, 1),
        new(112, 3, 672, 112, true, true, 1, 1),
        new(112, 5, 672, 160, true, true, 1, 2),
        new(160, 5, 960, 160, true, true, 1, 2),
        new(160, 5, 960, 160, true, true, 1, 2),
    };
}
