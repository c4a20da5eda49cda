using MatteKit.Onnx;
using MatteKit.Layers;

namespace MatteKit.Bgm;

/// <summary>
/// BGMv2's MobileNetV2 (width 1.0, torchvision keys <c>backbone.features.*</c>) on 6 channels (frame + plate):
/// block 14 keeps its resolution (stride 1) and blocks 15-17 dilate by 2 instead, so the deepest features stay
/// at 1/16; the last 1x1 conv (features.18) is gone. No input normalisation.
/// </summary>
internal sealed class MobileNetV2Encoder : IBgmEncoder
{
    // (expansion, out channels, repeats, first stride) of torchvision's MobileNetV2.
    private static readonly (int T, int C, int N, int S)[] Settings =
    {
        (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1),
    };

    private readonly ConvLayer _stem;
    private readonly MobileNetV2Block[] _blocks;

    public MobileNetV2Encoder(WeightSet w, int inChannels)
    {
        _stem = ConvLayer.LoadWithBatchNorm(w, "backbone.features.0.0", "backbone.features.0.1", BgmNetwork.BatchNormEps, 32, inChannels, 3);
        var blocks = new List<MobileNetV2Block>();
        int channels = 32;
        foreach (var (t, c, n, s) in Settings)
            for (int i = 0; i < n; i++)
            {
                int index = blocks.Count + 1;
                int stride = i == 0 ? s : 1;
                if (index == 14) stride = 1;
                int dilation = index >= 15 ? 2 : 1;
                blocks.Add(new MobileNetV2Block(w, $"backbone.features.{index}", channels, c, t, stride, dilation));
                channels = c;
            }
        _blocks = blocks.ToArray();
    }

    public int[] FeatureChannels => new[] { 320, 32, 24, 16 };

    public (GraphValue X4, GraphValue X3, GraphValue X2, GraphValue X1) Forward(GraphBuilder g, GraphValue input)
    {
        var x = MobileNetV2Block.Relu6(g, _stem.Forward(g, input, stride: 2));
        x = _blocks[0].Forward(g, x);
        var x1 = x;
        for (int i = 1; i <= 2; i++) x = _blocks[i].Forward(g, x);
        var x2 = x;
        for (int i = 3; i <= 5; i++) x = _blocks[i].Forward(g, x);
        var x3 = x;
        for (int i = 6; i < _blocks.Length; i++) x = _blocks[i].Forward(g, x);
        return (x, x3, x2, x1);
    }
}
