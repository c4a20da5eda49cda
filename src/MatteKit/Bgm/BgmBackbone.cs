namespace MatteKit.Bgm;

/// <summary>The encoders BackgroundMattingV2 was released with.</summary>
internal enum BgmBackbone
{
    MobileNetV2,
    ResNet50,
    ResNet101,
}
