using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MatteKit.Training.Network;

/// <summary>torchvision's ResNet bottleneck (v1.5: stride on the 3x3), keys conv1..3, bn1..3, downsample.0/1.</summary>
internal sealed class ResNetBottleneck : Module<Tensor, Tensor>
{
    // Children are registered by hand under the official keys; the default would add every field again under its C# name.
    protected override void RegisterComponents() { }

    public const int Expansion = 4;
    private readonly Module<Tensor, Tensor> _conv1, _bn1, _conv2, _bn2, _conv3, _bn3;
    private readonly Module<Tensor, Tensor>? _downsample;

    public ResNetBottleneck(long inChannels, long planes, long stride, long dilation, bool projectShortcut) : base(nameof(ResNetBottleneck))
    {
        _conv1 = Conv2d(inChannels, planes, 1, bias: false);
        _bn1 = BatchNorm2d(planes);
        _conv2 = Conv2d(planes, planes, 3, stride: stride, padding: dilation, dilation: dilation, bias: false);
        _bn2 = BatchNorm2d(planes);
        _conv3 = Conv2d(planes, planes * Expansion, 1, bias: false);
        _bn3 = BatchNorm2d(planes * Expansion);
        register_module("conv1", _conv1); register_module("bn1", _bn1);
        register_module("conv2", _conv2); register_module("bn2", _bn2);
        register_module("conv3", _conv3); register_module("bn3", _bn3);
        if (projectShortcut)
        {
            _downsample = Sequential(("0", Conv2d(inChannels, planes * Expansion, 1, stride: stride, bias: false)),
                ("1", BatchNorm2d(planes * Expansion)));
            register_module("downsample", _downsample);
        }
    }

    public override Tensor forward(Tensor x)
    {
        var y = functional.relu(_bn1.forward(_conv1.forward(x)));
        y = functional.relu(_bn2.forward(_conv2.forward(y)));
        y = _bn3.forward(_conv3.forward(y));
        return functional.relu(y + (_downsample is null ? x : _downsample.forward(x)));
    }
}
