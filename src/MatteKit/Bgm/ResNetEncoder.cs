using MatteKit.Onnx;
using MatteKit.Layers;

namespace MatteKit.Bgm;

/// <summary>
/// BGMv2's ResNet-50/101 (torchvision keys <c>backbone.conv1</c>, <c>backbone.layerN.*</c>) on 6 channels, with
/// layer4 dilated instead of strided (<c>replace_stride_with_dilation=[False, False, True]</c>): its first block
/// keeps dilation 1 (torchvision's previous-dilation rule), the others use 2; features stay at 1/16.
/// </summary>
internal sealed class ResNetEncoder : IBgmEncoder
{
    private readonly ConvLayer _stem;
    private readonly ResNetBottleneck[][] _layers;

    public ResNetEncoder(WeightSet w, int inChannels, BgmBackbone backbone)
    {
        _stem = ConvLayer.LoadWithBatchNorm(w, "backbone.conv1", "backbone.bn1", BgmNetwork.BatchNormEps, 64, inChannels, 7);
        int[] blocks = backbone == BgmBackbone.ResNet101 ? new[] { 3, 4, 23, 3 } : new[] { 3, 4, 6, 3 };
        int[] widths = { 64, 128, 256, 512 };
        int[] strides = { 1, 2, 2, 1 };
        _layers = new ResNetBottleneck[4][];
        int channels = 64;
        for (int layer = 0; layer < 4; layer++)
        {
            _layers[layer] = new ResNetBottleneck[blocks[layer]];
            for (int b = 0; b < blocks[layer]; b++)
            {
                int dilation = layer == 3 && b > 0 ? 2 : 1;
                _layers[layer][b] = new ResNetBottleneck(w, $"backbone.layer{layer + 1}.{b}", channels, widths[layer],
                    b == 0 ? strides[layer] : 1, dilation, projectShortcut: b == 0);
                channels = widths[layer] * 4;
            }
        }
    }

    public int[] FeatureChannels => new[] { 2048, 512, 256, 64 };

    public (GraphValue X4, GraphValue X3, GraphValue X2, GraphValue X1) Forward(GraphBuilder g, GraphValue input)
    {
        var x = g.Relu(_stem.Forward(g, input, stride: 2));
        var x1 = x;
        x = g.MaxPool(x, 3, 2, 1);
        x = Layer(g, 0, x);
        var x2 = x;
        x = Layer(g, 1, x);
        var x3 = x;
        x = Layer(g, 2, x);
        x = Layer(g, 3, x);
        return (x, x3, x2, x1);
    }

    private GraphValue Layer(GraphBuilder g, int layer, GraphValue x)
    {
        foreach (var block in _layers[layer]) x = block.Forward(g, x);
        return x;
    }
}
