using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MatteKit.Training.Network;

/// <summary>LR-ASPP: a 1x1 conv + BN + ReLU branch gated by a sigmoid of the globally pooled 1x1 branch.</summary>
internal sealed class LrAspp : Module<Tensor, Tensor>
{
    // Children are registered by hand under the official keys; the default would add every field again under its C# name.
    protected override void RegisterComponents() { }

    private readonly Module<Tensor, Tensor> _aspp1, _aspp2;

    public LrAspp(long inChannels, long outChannels) : base(nameof(LrAspp))
    {
        _aspp1 = Blocks.ConvBatchNorm(inChannels, outChannels, 1, Activation.Relu);
        _aspp2 = Sequential(("0", AdaptiveAvgPool2d(1)), ("1", Conv2d(inChannels, outChannels, 1, bias: false)), ("2", Sigmoid()));
        register_module("aspp1", _aspp1);
        register_module("aspp2", _aspp2);
    }

    public override Tensor forward(Tensor x) => _aspp1.forward(x) * _aspp2.forward(x);
}
