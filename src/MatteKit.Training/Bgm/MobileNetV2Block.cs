using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MatteKit.Training.Bgm;

/// <summary>
/// One torchvision MobileNetV2 inverted residual under its keys <c>conv.*</c>: a 1x1 expansion (conv + BN + ReLU6,
/// absent when the expansion factor is 1), a depthwise 3x3 (conv + BN + ReLU6), then the 1x1 projection conv and its
/// BN as two further children of the same Sequential; the input is added when the block keeps size and width.
/// </summary>
internal sealed class MobileNetV2Block : Module<Tensor, Tensor>
{
    // Children are registered by hand under the official keys; the default would add every field again under its C# name.
    protected override void RegisterComponents() { }

    private readonly Module<Tensor, Tensor> _conv;
    private readonly bool _residual;

    /// <param name="dilation">BGMv2 dilates the depthwise convs of the last three blocks (padding = dilation).</param>
    public MobileNetV2Block(long inChannels, long outChannels, long stride, long expansion, long dilation) : base(nameof(MobileNetV2Block))
    {
        long hidden = inChannels * expansion;
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        if (expansion != 1) layers.Add((layers.Count.ToString(), ConvBatchNormRelu6(inChannels, hidden, 1, 1, 1, 1)));
        layers.Add((layers.Count.ToString(), ConvBatchNormRelu6(hidden, hidden, 3, stride, dilation, hidden)));
        layers.Add((layers.Count.ToString(), Conv2d(hidden, outChannels, 1, bias: false)));
        layers.Add((layers.Count.ToString(), BatchNorm2d(outChannels)));
        _conv = Sequential(layers);
        _residual = stride == 1 && inChannels == outChannels;
        register_module("conv", _conv);
    }

    /// <summary>
    /// torchvision's ConvBNReLU6 (keys <c>0</c> conv without bias, <c>1</c> BN), zero padding keeping the size at stride 1.
    /// Its ReLU6 works in place on the batch norm's output, as torchvision's does (<c>inplace=True</c>): no second
    /// tensor of that size each time (5% of a base training step at 256x144), and its gradient is taken from the
    /// clipped output as the official one's is.
    /// </summary>
    public static Module<Tensor, Tensor> ConvBatchNormRelu6(long inChannels, long outChannels, long kernel, long stride, long dilation, long groups)
        => Sequential(
            ("0", Conv2d(inChannels, outChannels, kernel, stride: stride, padding: (kernel - 1) / 2 * dilation, dilation: dilation,
                groups: groups, bias: false)),
            ("1", BatchNorm2d(outChannels)),
            ("2", ReLU6(inplace: true)));

    public override Tensor forward(Tensor x) => _residual ? x + _conv.forward(x) : _conv.forward(x);
}
