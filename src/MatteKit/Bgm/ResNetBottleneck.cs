using MatteKit.Onnx;
using MatteKit.Rvm;
using MatteKit.Weights;

namespace MatteKit.Bgm;

/// <summary>
/// torchvision's ResNet bottleneck ("v1.5": the stride sits on the 3x3): 1x1 -> 3x3 (stride, dilation) -> 1x1 with
/// 4x the width, each with BN, ReLU after the first two and after the sum with the shortcut (a strided 1x1 + BN
/// when the shape changes).
/// </summary>
internal sealed class ResNetBottleneck
{
    private readonly ConvLayer _reduce;
    private readonly ConvLayer _spatial;
    private readonly ConvLayer _expand;
    private readonly ConvLayer? _downsample;
    private readonly int _stride;
    private readonly int _dilation;

    public ResNetBottleneck(WeightSet w, string prefix, int inChannels, int width, int stride, int dilation, bool downsample)
    {
        const float eps = BgmNetwork.BatchNormEps;
        _reduce = ConvLayer.LoadWithBatchNorm(w, prefix + ".conv1", prefix + ".bn1", eps, width, inChannels, 1);
        _spatial = ConvLayer.LoadWithBatchNorm(w, prefix + ".conv2", prefix + ".bn2", eps, width, width, 3);
        _expand = ConvLayer.LoadWithBatchNorm(w, prefix + ".conv3", prefix + ".bn3", eps, width * 4, width, 1);
        if (downsample)
            _downsample = ConvLayer.LoadWithBatchNorm(w, prefix + ".downsample.0", prefix + ".downsample.1", eps, width * 4, inChannels, 1);
        _stride = stride;
        _dilation = dilation;
    }

    public GraphValue Forward(GraphBuilder g, GraphValue x)
    {
        var y = g.Relu(_reduce.Forward(g, x));
        y = g.Relu(_spatial.Forward(g, y, _stride, _dilation));
        y = _expand.Forward(g, y);
        var shortcut = _downsample is null ? x : _downsample.Forward(g, x, _stride);
        return g.Relu(g.Add(y, shortcut));
    }
}
