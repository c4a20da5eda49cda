using MatteKit.Onnx;

namespace MatteKit.Layers;

/// <summary>
/// torchvision's ResNet bottleneck (v1.5, stride on the 3x3): 1x1 reduce, 3x3 (stride, dilation), 1x1 expand x4,
/// each with batch norm (folded), ReLU after the first two and after the residual add. The shortcut is a strided
/// 1x1 conv + BN when the width or size changes.
/// </summary>
internal sealed class ResNetBottleneck
{
    private const float BatchNormEps = 1e-5f;
    public const int Expansion = 4;

    private readonly ConvLayer _reduce;
    private readonly ConvLayer _spatial;
    private readonly ConvLayer _expand;
    private readonly ConvLayer? _shortcut;
    private readonly int _stride;
    private readonly int _dilation;

    public ResNetBottleneck(WeightSet w, string prefix, int inChannels, int planes, int stride, int dilation, bool projectShortcut)
    {
        _stride = stride;
        _dilation = dilation;
        _reduce = ConvLayer.LoadWithBatchNorm(w, prefix + ".conv1", prefix + ".bn1", BatchNormEps, planes, inChannels, 1);
        _spatial = ConvLayer.LoadWithBatchNorm(w, prefix + ".conv2", prefix + ".bn2", BatchNormEps, planes, planes, 3);
        _expand = ConvLayer.LoadWithBatchNorm(w, prefix + ".conv3", prefix + ".bn3", BatchNormEps, planes * Expansion, planes, 1);
        if (projectShortcut)
            _shortcut = ConvLayer.LoadWithBatchNorm(w, prefix + ".downsample.0", prefix + ".downsample.1", BatchNormEps,
                planes * Expansion, inChannels, 1);
    }

    public GraphValue Forward(GraphBuilder g, GraphValue x)
    {
        var y = g.Relu(_reduce.Forward(g, x));
        y = g.Relu(_spatial.Forward(g, y, stride: _stride, dilation: _dilation));
        y = _expand.Forward(g, y);
        var identity = _shortcut is null ? x : _shortcut.Forward(g, x, stride: _stride);
        return g.Relu(g.Add(y, identity));
    }
}
