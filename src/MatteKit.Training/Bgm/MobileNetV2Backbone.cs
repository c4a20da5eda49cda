using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MatteKit.Training.Bgm;

/// <summary>
/// BGMv2's MobileNetV2 encoder (<c>backbone.features.0..17</c>, width 1.0, the classifier and last 1x1 conv
/// removed): the stem takes 6 channels (frame and plate), block 14 runs at stride 1 and blocks 15-17 dilate their
/// depthwise convs by 2, so the deepest features stay at 1/16. No input normalisation.
/// </summary>
internal sealed class MobileNetV2Backbone : Module<Tensor, Tensor>, IBgmBackbone
{
    // Children are registered by hand under the official keys; the default would add every field again under its C# name.
    protected override void RegisterComponents() { }

    // torchvision's (expansion t, channels c, repeats n, stride s) table.
    private static readonly (int T, int C, int N, int S)[] Stages =
        { (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1) };

    private readonly Module<Tensor, Tensor>[] _features;

    public MobileNetV2Backbone(long inputChannels = 6) : base(nameof(MobileNetV2Backbone))
    {
        var features = new List<Module<Tensor, Tensor>> { MobileNetV2Block.ConvBatchNormRelu6(inputChannels, 32, 3, 2, 1, 1) };
        long channels = 32;
        foreach (var (t, c, n, s) in Stages)
            for (int i = 0; i < n; i++)
            {
                int index = features.Count;
                // Block 14 would halve the size to 1/32: BGMv2 keeps 1/16 and dilates from block 15 on instead.
                long stride = i == 0 && index != 14 ? s : 1;
                features.Add(new MobileNetV2Block(channels, c, stride, t, index >= 15 ? 2 : 1));
                channels = c;
            }
        _features = features.ToArray();
        register_module("features", Sequential(_features.Select((m, i) => (i.ToString(), m))));
    }

    public long[] Channels => new long[] { 320, 32, 24, 16 };

    public TorchSharp.Modules.Parameter StemWeight => _features[0].get_parameter("0.weight") ?? throw new InvalidOperationException("the stem has no weight");

    public (Tensor X4, Tensor X3, Tensor X2, Tensor X1) Encode(Tensor x)
    {
        Tensor x1 = x, x2 = x, x3 = x;
        for (int i = 0; i < _features.Length; i++)
        {
            x = _features[i].forward(x);
            if (i == 1) x1 = x;
            else if (i == 3) x2 = x;
            else if (i == 6) x3 = x;
        }
        return (x, x3, x2, x1);
    }

    public override Tensor forward(Tensor x) => Encode(x).X4;
}
