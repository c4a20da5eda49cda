using MatteKit.Onnx;
using MatteKit.NetworkWidths;
using MatteKit.Layers;

namespace MatteKit.Rvm;

/// <summary>
/// MobileNetV3-Large backbone (torchvision key layout <c>backbone.features.*</c>) with the last stage dilated
/// instead of strided, giving features at 1/2 (16 ch), 1/4 (24), 1/8 (40) and 1/16 (960) of its input.
/// </summary>
internal sealed class MobileNetV3Encoder : IRvmEncoder
{
    // ImageNet statistics the backbone was trained with (torchvision's normalize).
    private static readonly float[] Mean = { 0.485f, 0.456f, 0.406f };
    private static readonly float[] Std = { 0.229f, 0.224f, 0.225f };

    private readonly ConvLayer _stem;
    private readonly InvertedResidual[] _blocks;
    private readonly ConvLayer _head;

    public MobileNetV3Encoder(WeightSet w)
    {
        const float eps = MobileNetV3Large.BatchNormEps;
        var stages = MobileNetV3Large.Stages;
        _stem = ConvLayer.LoadWithBatchNorm(w, "backbone.features.0.0", "backbone.features.0.1", eps, MobileNetV3Large.StemChannels,
            RvmArchitecture.ImageChannels, 3);
        _blocks = stages.Select((s, i) => new InvertedResidual(w, $"backbone.features.{i + 1}", s)).ToArray();
        _head = ConvLayer.LoadWithBatchNorm(w, "backbone.features.16.0", "backbone.features.16.1", eps, MobileNetV3Large.LastChannels,
            stages[^1].Out, 1);
    }

    public IReadOnlyList<int> FeatureChannels => RvmArchitecture.MobileNetV3.EncoderChannels;

    public (GraphValue F1, GraphValue F2, GraphValue F3, GraphValue F4) Forward(GraphBuilder g, GraphValue image)
    {
        var x = g.Div(g.Sub(image, g.Constant(Mean, 1, 3, 1, 1)), g.Constant(Std, 1, 3, 1, 1));
        x = g.HardSwish(_stem.Forward(g, x, stride: 2));
        x = _blocks[0].Forward(g, x);
        var f1 = x;
        for (int i = 1; i <= 2; i++) x = _blocks[i].Forward(g, x);
        var f2 = x;
        for (int i = 3; i <= 5; i++) x = _blocks[i].Forward(g, x);
        var f3 = x;
        for (int i = 6; i < _blocks.Length; i++) x = _blocks[i].Forward(g, x);
        var f4 = g.HardSwish(_head.Forward(g, x));
        return (f1, f2, f3, f4);
    }
}
