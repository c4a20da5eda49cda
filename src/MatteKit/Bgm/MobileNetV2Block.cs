using MatteKit.Onnx;
using MatteKit.Layers;

namespace MatteKit.Bgm;

/// <summary>
/// torchvision's MobileNetV2 inverted residual (<c>features.N.conv.*</c>): 1x1 expansion + BN + ReLU6 (absent when
/// the expansion factor is 1), 3x3 depthwise + BN + ReLU6, 1x1 projection + BN, plus the input when the block
/// keeps both size and width.
/// </summary>
internal sealed class MobileNetV2Block
{
    private readonly ConvLayer? _expand;
    private readonly ConvLayer _depthwise;
    private readonly ConvLayer _project;
    private readonly int _stride;
    private readonly int _dilation;
    private readonly bool _residual;

    public MobileNetV2Block(WeightSet w, string prefix, int inChannels, int outChannels, int expansion, int stride, int dilation)
    {
        int hidden = inChannels * expansion;
        int part = 0;
        if (expansion != 1)
        {
            _expand = ConvLayer.LoadWithBatchNorm(w, $"{prefix}.conv.{part}.0", $"{prefix}.conv.{part}.1", BgmNetwork.BatchNormEps, hidden, inChannels, 1);
            part++;
        }
        _depthwise = ConvLayer.LoadWithBatchNorm(w, $"{prefix}.conv.{part}.0", $"{prefix}.conv.{part}.1", BgmNetwork.BatchNormEps, hidden, 1, 3);
        part++;
        _project = ConvLayer.LoadWithBatchNorm(w, $"{prefix}.conv.{part}", $"{prefix}.conv.{part + 1}", BgmNetwork.BatchNormEps, outChannels, hidden, 1);
        _stride = stride;
        _dilation = dilation;
        // torchvision decides the shortcut from the block's original stride; BGMv2 turning block 14's stride to 1
        // does not give it one (its width changes anyway).
        _residual = stride == 1 && inChannels == outChannels;
    }

    public GraphValue Forward(GraphBuilder g, GraphValue x)
    {
        var y = x;
        if (_expand is not null) y = Relu6(g, _expand.Forward(g, y));
        y = Relu6(g, _depthwise.Forward(g, y, _stride, _dilation, groups: (int)y.Dim(1)));
        y = _project.Forward(g, y);
        return _residual ? g.Add(y, x) : y;
    }

    internal static GraphValue Relu6(GraphBuilder g, GraphValue x) => g.Clip(x, 0f, 6f);
}
