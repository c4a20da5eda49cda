using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MatteKit.Training.Network;

/// <summary>A 1x1 conv with bias from the decoder's hidden features (project_mat: 4 channels, project_seg: 1).</summary>
internal sealed class Projection : Module<Tensor, Tensor>
{
    // Children are registered by hand under the official keys; the default would add every field again under its C# name.
    protected override void RegisterComponents() { }

    private readonly Module<Tensor, Tensor> _conv;

    public Projection(long inChannels, long outChannels) : base(nameof(Projection))
    {
        _conv = Conv2d(inChannels, outChannels, 1);
        register_module("conv", _conv);
    }

    /// <summary><c>[B, T, C, H, W]</c> in and out.</summary>
    public override Tensor forward(Tensor x) => Blocks.UnflattenTime(_conv.forward(Blocks.FlattenTime(x)), x.shape[0]);
}
