using MatteKit.NetworkWidths;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MatteKit.Training.Network;

/// <summary>
/// One MobileNetV3 block (torchvision's InvertedResidual): 1x1 expansion (when widened), depthwise kxk, optional
/// squeeze-excitation, 1x1 projection; a residual sum when stride 1 keeps the width. A dilated block runs stride 1.
/// </summary>
internal sealed class InvertedResidual : Module<Tensor, Tensor>
{
    // Children are registered by hand under the official keys; the default would add every field again under its C# name.
    protected override void RegisterComponents() { }

    private readonly Module<Tensor, Tensor> _block;
    private readonly bool _residual;

    public InvertedResidual(MobileNetV3Stage s) : base(nameof(InvertedResidual))
    {
        const double eps = MobileNetV3Large.BatchNormEpsilon, momentum = MobileNetV3Large.BatchNormMomentum;
        var activation = s.HardSwish ? Activation.HardSwish : Activation.Relu;
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        if (s.Expanded != s.In)
            layers.Add((layers.Count.ToString(), Blocks.ConvBatchNorm(s.In, s.Expanded, 1, activation, eps: eps, momentum: momentum)));
        int stride = s.Dilation > 1 ? 1 : s.Stride;
        layers.Add((layers.Count.ToString(), Blocks.ConvBatchNorm(s.Expanded, s.Expanded, s.Kernel, activation,
            stride: stride, dilation: s.Dilation, groups: s.Expanded, eps: eps, momentum: momentum)));
        if (s.SqueezeExcite)
            layers.Add((layers.Count.ToString(), new SqueezeExcitation(s.Expanded, s.SqueezeChannels)));
        layers.Add((layers.Count.ToString(), Blocks.ConvBatchNorm(s.Expanded, s.Out, 1, Activation.None, eps: eps, momentum: momentum)));
        _block = Sequential(layers);
        _residual = s.Stride == 1 && s.In == s.Out;
        register_module("block", _block);
    }

    public override Tensor forward(Tensor x) => _residual ? x + _block.forward(x) : _block.forward(x);
}
