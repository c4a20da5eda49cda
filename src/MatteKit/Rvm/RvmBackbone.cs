namespace MatteKit.Rvm;

/// <summary>The encoder an RVM model was trained with; told apart by the weights' keys.</summary>
internal enum RvmBackbone
{
    /// <summary>MobileNetV3-Large (<c>backbone.features.*</c>): 16/20/40/64-channel recurrent states.</summary>
    MobileNetV3,

    /// <summary>ResNet50 (<c>backbone.conv1</c>, <c>backbone.layer1..4</c>): 16/32/64/128-channel recurrent states.</summary>
    ResNet50,
}
