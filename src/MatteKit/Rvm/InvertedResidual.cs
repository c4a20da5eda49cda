using MatteKit.NetworkWidths;
using MatteKit.Onnx;
using MatteKit.Layers;

namespace MatteKit.Rvm;

/// <summary>
/// One MobileNetV3 bottleneck (torchvision layout <c>features.N.block.*</c>): 1x1 expansion (skipped when the
/// width does not change), k x k depthwise, optional squeeze-excitation, 1x1 projection, and the residual
/// add when input and output agree in size and width.
/// </summary>
internal sealed class InvertedResidual
{
    private const float BatchNormEps = 0.001f;

    private readonly ConvLayer? _expand;
    private readonly ConvLayer _depthwise;
    private readonly SqueezeExcitation? _squeeze;
    private readonly ConvLayer _project;
    private readonly MobileNetV3Stage _stage;

    public InvertedResidual(WeightSet w, string prefix, MobileNetV3Stage stage)
    {
        _stage = stage;
        int block = 0;
        if (stage.Expanded != stage.In)
            _expand = ConvBn(w, $"{prefix}.block.{block++}", stage.Expanded, stage.In, 1);
        _depthwise = ConvBn(w, $"{prefix}.block.{block++}", stage.Expanded, 1, stage.Kernel);
        if (stage.SqueezeExcite)
            _squeeze = new SqueezeExcitation(w, $"{prefix}.block.{block++}", stage.Expanded, stage.SqueezeChannels);
        _project = ConvBn(w, $"{prefix}.block.{block}", stage.Out, stage.Expanded, 1);
    }

    public GraphValue Forward(GraphBuilder g, GraphValue x)
    {
        var y = x;
        if (_expand is not null) y = Activate(g, _expand.Forward(g, y));
        y = Activate(g, _depthwise.Forward(g, y, _stage.Stride, _stage.Dilation, groups: _stage.Expanded));
        if (_squeeze is not null) y = _squeeze.Forward(g, y);
        y = _project.Forward(g, y);
        return _stage.Stride == 1 && _stage.In == _stage.Out ? g.Add(y, x) : y;
    }

    private GraphValue Activate(GraphBuilder g, GraphValue x) => _stage.HardSwish ? g.HardSwish(x) : g.Relu(x);

    private static ConvLayer ConvBn(WeightSet w, string key, int outC, int inC, int k)
        => ConvLayer.LoadWithBatchNorm(w, key + ".0", key + ".1", BatchNormEps, outC, inC, k);
}
