using MatteKit.Training.Network;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MatteKit.Training.Bgm;

/// <summary>
/// BGMv2's ResNet-50 encoder: RVM's (torchvision's, the last stage dilated instead of strided, no input
/// normalisation) with a 6-channel stem for frame and plate; same keys <c>backbone.conv1 ... layer4</c>.
/// </summary>
internal sealed class ResNetBgmBackbone : Module<Tensor, Tensor>, IBgmBackbone
{
    // Children are registered by hand under the official keys; the default would add every field again under its C# name.
    protected override void RegisterComponents() { }

    private readonly ResNet50Backbone _resnet;

    public ResNetBgmBackbone() : base(nameof(ResNetBgmBackbone))
    {
        _resnet = new ResNet50Backbone(inputChannels: 6);
        // The ResNet's own children sit directly under backbone.*, as in the official state dict.
        foreach (var (name, child) in _resnet.named_children()) register_module(name, child);
    }

    public long[] Channels => new long[] { 2048, 512, 256, 64 };

    public TorchSharp.Modules.Parameter StemWeight => _resnet.get_parameter("conv1.weight") ?? throw new InvalidOperationException("the stem has no weight");

    public (Tensor X4, Tensor X3, Tensor X2, Tensor X1) Encode(Tensor input)
    {
        var f = _resnet.forward(input);
        return (f[3], f[2], f[1], f[0]);
    }

    public override Tensor forward(Tensor x) => Encode(x).X4;
}
