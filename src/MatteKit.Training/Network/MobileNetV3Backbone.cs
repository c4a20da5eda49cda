using MatteKit.NetworkWidths;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MatteKit.Training.Network;

/// <summary>
/// RVM's MobileNetV3-Large encoder (<c>backbone.features.0..16</c>): ImageNet normalisation, then features at 1/2
/// (after block 1), 1/4 (block 3), 1/8 (block 6) and 1/16 (the last 1x1 conv; the last stage is dilated).
/// </summary>
internal sealed class MobileNetV3Backbone : Module<Tensor, Tensor[]>, IBackbone
{
    // Children are registered by hand under the official keys; the default would add every field again under its C# name.
    protected override void RegisterComponents() { }

    private readonly Module<Tensor, Tensor>[] _features;
    private readonly Tensor _mean, _std;

    public MobileNetV3Backbone() : base(nameof(MobileNetV3Backbone))
    {
        const double eps = MobileNetV3Large.BatchNormEpsilon, momentum = MobileNetV3Large.BatchNormMomentum;
        var features = new List<Module<Tensor, Tensor>>
        {
            Blocks.ConvBatchNorm(3, MobileNetV3Large.StemChannels, 3, Activation.HardSwish, stride: 2, eps: eps, momentum: momentum),
        };
        features.AddRange(MobileNetV3Large.Stages.Select(s => (Module<Tensor, Tensor>)new InvertedResidual(s)));
        features.Add(Blocks.ConvBatchNorm(MobileNetV3Large.Stages[^1].Out, MobileNetV3Large.LastChannels, 1, Activation.HardSwish, eps: eps, momentum: momentum));
        _features = features.ToArray();
        register_module("features", Sequential(_features.Select((m, i) => (i.ToString(), m))));
        _mean = ImageNet.Mean;
        _std = ImageNet.Std;
    }

    /// <summary>Feature maps of frames <c>[N, 3, H, W]</c> in 0..1.</summary>
    public override Tensor[] forward(Tensor x)
    {
        x = (x - _mean) / _std;
        var outputs = new Tensor[4];
        for (int i = 0; i < _features.Length; i++)
        {
            x = _features[i].forward(x);
            if (i == 1) outputs[0] = x;
            else if (i == 3) outputs[1] = x;
            else if (i == 6) outputs[2] = x;
        }
        outputs[3] = x;
        return outputs;
    }
}
