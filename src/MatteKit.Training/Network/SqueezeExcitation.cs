using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MatteKit.Training.Network;

/// <summary>torchvision's squeeze-excitation: global mean, 1x1 down, ReLU, 1x1 up, hard sigmoid, times the input.</summary>
internal sealed class SqueezeExcitation : Module<Tensor, Tensor>
{
    // Children are registered by hand under the official keys; the default would add every field again under its C# name.
    protected override void RegisterComponents() { }

    private readonly Module<Tensor, Tensor> _fc1, _fc2;

    public SqueezeExcitation(long channels, long squeezeChannels) : base(nameof(SqueezeExcitation))
    {
        _fc1 = Conv2d(channels, squeezeChannels, 1);
        _fc2 = Conv2d(squeezeChannels, channels, 1);
        register_module("fc1", _fc1);
        register_module("fc2", _fc2);
    }

    public override Tensor forward(Tensor x)
    {
        var scale = functional.adaptive_avg_pool2d(x, 1);
        scale = functional.hardsigmoid(_fc2.forward(functional.relu(_fc1.forward(scale))));
        return x * scale;
    }
}
