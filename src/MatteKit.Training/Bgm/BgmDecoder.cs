using MatteKit.Training.Network;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MatteKit.Training.Bgm;

/// <summary>
/// BGMv2's decoder (<c>decoder.conv1..4</c>, <c>decoder.bn1..3</c>): three steps of (bilinear resize to the skip's
/// size, concat the skip, 3x3 conv + BN + ReLU) with 128, 64, 48 channels, then a resize to the input's size, concat
/// the 6-channel input and a 3x3 conv with bias to the 37 raw channels (alpha, foreground residual, error, 32 hidden).
/// </summary>
internal sealed class BgmDecoder : Module
{
    // Children are registered by hand under the official keys; the default would add every field again under its C# name.
    protected override void RegisterComponents() { }

    public const long OutChannels = 37;
    private static readonly long[] Widths = { 128, 64, 48 };

    private readonly Module<Tensor, Tensor>[] _convs, _norms;
    private readonly Module<Tensor, Tensor> _output;

    /// <param name="skipChannels">Channels of the 1/8, 1/4 and 1/2 features.</param>
    public BgmDecoder(long asppChannels, long[] skipChannels, long inputChannels) : base(nameof(BgmDecoder))
    {
        _convs = new Module<Tensor, Tensor>[3];
        _norms = new Module<Tensor, Tensor>[3];
        long channels = asppChannels;
        for (int i = 0; i < 3; i++)
        {
            _convs[i] = Conv2d(channels + skipChannels[i], Widths[i], 3, padding: 1, bias: false);
            _norms[i] = BatchNorm2d(Widths[i]);
            register_module($"conv{i + 1}", _convs[i]);
            register_module($"bn{i + 1}", _norms[i]);
            channels = Widths[i];
        }
        _output = Conv2d(channels + inputChannels, OutChannels, 3, padding: 1, bias: true);
        register_module("conv4", _output);
    }

    public Tensor Decode(Tensor x, Tensor x3, Tensor x2, Tensor x1, Tensor x0)
    {
        var skips = new[] { x3, x2, x1 };
        for (int i = 0; i < 3; i++)
        {
            x = Blocks.ResizeTo(x, skips[i].shape[2], skips[i].shape[3]);
            x = functional.relu(_norms[i].forward(_convs[i].forward(cat(new[] { x, skips[i] }, 1))));
        }
        x = Blocks.ResizeTo(x, x0.shape[2], x0.shape[3]);
        return _output.forward(cat(new[] { x, x0 }, 1));
    }
}
