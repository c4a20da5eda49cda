namespace MatteKit.NetworkWidths;

/// <summary>
/// The widths of one RVM model, written once: the encoder's four features (1/2, 1/4, 1/8, 1/16), LR-ASPP's output,
/// the three upsampling blocks' outputs (decode3, decode2, decode1) and the output block's. Everything else follows:
/// each decoder stage runs its ConvGRU on half its channels, so the recurrent states r1..r4 have half the widths of
/// decode1, decode2, decode3 and LR-ASPP.
/// </summary>
internal sealed record RvmArchitecture(int[] EncoderChannels, int AsppChannels, int[] UpsamplingChannels)
{
    /// <summary>The official MattingNetwork('mobilenetv3').</summary>
    public static readonly RvmArchitecture MobileNetV3 = new(new[] { 16, 24, 40, MobileNetV3Large.LastChannels }, 128, new[] { 80, 40, 32 });

    /// <summary>The official MattingNetwork('resnet50').</summary>
    public static readonly RvmArchitecture ResNet50 = new(new[] { 64, 256, 512, 2048 }, 256, new[] { 128, 64, 32 });

    /// <summary>The image is concatenated (downsampled) at every decoder scale: RGB.</summary>
    public const int ImageChannels = 3;

    /// <summary>Channels of the decoder's last feature map (decode0), read by the projections and the deep guided filter.</summary>
    public const int HiddenChannels = 16;

    /// <summary>Channels of r1..r4 (r1 at 1/2, r4 at 1/16).</summary>
    public int[] StateChannels => new[] { UpsamplingChannels[2] / 2, UpsamplingChannels[1] / 2, UpsamplingChannels[0] / 2, AsppChannels / 2 };
}
