using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MatteKit.Training.Network;

/// <summary>decode4: a ConvGRU on the second half of LR-ASPP's channels, the first half passed through.</summary>
internal sealed class BottleneckStage : Module<Tensor, Tensor?, (Tensor, Tensor)>
{
    // Children are registered by hand under the official keys; the default would add every field again under its C# name.
    protected override void RegisterComponents() { }

    private readonly long _half;
    private readonly ConvGru _gru;

    public BottleneckStage(long channels) : base(nameof(BottleneckStage))
    {
        _half = channels / 2;
        _gru = new ConvGru(_half);
        register_module("gru", _gru);
    }

    public override (Tensor, Tensor) forward(Tensor x, Tensor? r)
    {
        var parts = x.split(_half, 2);
        var (b, state) = _gru.forward(parts[1], r);
        return (cat(new[] { parts[0], b }, 2), state);
    }
}

/// <summary>
/// decode3..decode1: upsample x2, crop to the skip's size, concatenate the encoder feature and the downsampled
/// image, 3x3 conv + BN + ReLU, then a ConvGRU on the second half of the channels.
/// </summary>
internal sealed class UpsamplingStage : Module<Tensor, Tensor, Tensor, Tensor?, (Tensor, Tensor)>
{
    // Children are registered by hand under the official keys; the default would add every field again under its C# name.
    protected override void RegisterComponents() { }

    private readonly long _half;
    private readonly Module<Tensor, Tensor> _conv;
    private readonly ConvGru _gru;

    public UpsamplingStage(long inChannels, long skipChannels, long imageChannels, long outChannels) : base(nameof(UpsamplingStage))
    {
        _half = outChannels / 2;
        _conv = Blocks.ConvBatchNorm(inChannels + skipChannels + imageChannels, outChannels, 3, Activation.Relu);
        _gru = new ConvGru(_half);
        register_module("conv", _conv);
        register_module("gru", _gru);
    }

    /// <summary><paramref name="x"/>, <paramref name="skip"/>, <paramref name="image"/>: <c>[B, T, C, H, W]</c>.</summary>
    public override (Tensor, Tensor) forward(Tensor x, Tensor skip, Tensor image, Tensor? r)
    {
        long batch = image.shape[0];
        var s = Blocks.FlattenTime(image);
        var y = Blocks.Resize(Blocks.FlattenTime(x), 2.0);
        y = y[.., .., ..(int)s.shape[2], ..(int)s.shape[3]];
        y = _conv.forward(cat(new[] { y, Blocks.FlattenTime(skip), s }, 1));
        var parts = Blocks.UnflattenTime(y, batch).split(_half, 2);
        var (b, state) = _gru.forward(parts[1], r);
        return (cat(new[] { parts[0], b }, 2), state);
    }
}

/// <summary>decode0: upsample x2 to the image size, concatenate the image, two 3x3 conv + BN + ReLU.</summary>
internal sealed class OutputStage : Module<Tensor, Tensor, Tensor>
{
    // Children are registered by hand under the official keys; the default would add every field again under its C# name.
    protected override void RegisterComponents() { }

    private readonly Module<Tensor, Tensor> _conv;

    public OutputStage(long inChannels, long imageChannels, long outChannels) : base(nameof(OutputStage))
    {
        // Official keys conv.0..5: two conv-BN-ReLU triples in one Sequential.
        _conv = Sequential(
            ("0", Conv2d(inChannels + imageChannels, outChannels, 3, padding: 1, bias: false)), ("1", BatchNorm2d(outChannels)), ("2", ReLU()),
            ("3", Conv2d(outChannels, outChannels, 3, padding: 1, bias: false)), ("4", BatchNorm2d(outChannels)), ("5", ReLU()));
        register_module("conv", _conv);
    }

    public override Tensor forward(Tensor x, Tensor image)
    {
        long batch = image.shape[0];
        var s = Blocks.FlattenTime(image);
        var y = Blocks.Resize(Blocks.FlattenTime(x), 2.0);
        y = y[.., .., ..(int)s.shape[2], ..(int)s.shape[3]];
        return Blocks.UnflattenTime(_conv.forward(cat(new[] { y, s }, 1)), batch);
    }
}
