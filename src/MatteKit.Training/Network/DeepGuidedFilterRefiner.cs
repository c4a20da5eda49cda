using MatteKit.NetworkWidths;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MatteKit.Training.Network;

/// <summary>
/// The deep guided filter: a learned depthwise 3x3 box filter (initialised to 1/9) gives local means, covariance
/// and variance of the guide (RGB + grey) and the output at network size; 1x1 convs on
/// <c>[cov, var, hidden]</c> predict A; <c>b = mean(y) - A mean(x)</c>; both upsampled and applied to the full frame.
/// </summary>
internal sealed class DeepGuidedFilterRefiner : Module, IRefiner
{
    // Children are registered by hand under the official keys; the default would add every field again under its C# name.
    protected override void RegisterComponents() { }

    private const int Channels = 4;
    private readonly Module<Tensor, Tensor> _boxFilter, _conv;

    public DeepGuidedFilterRefiner(long hidden = RvmArchitecture.HiddenChannels) : base(nameof(DeepGuidedFilterRefiner))
    {
        var box = Conv2d(Channels, Channels, 3, padding: 1, groups: Channels, bias: false);
        using (no_grad()) (box.weight ?? throw new InvalidOperationException("a Conv2d has a weight")).fill_(1.0 / 9);
        _boxFilter = box;
        _conv = Sequential(
            ("0", Conv2d(Channels * 2 + hidden, hidden, 1, bias: false)), ("1", BatchNorm2d(hidden)), ("2", ReLU()),
            ("3", Conv2d(hidden, hidden, 1, bias: false)), ("4", BatchNorm2d(hidden)), ("5", ReLU()),
            ("6", Conv2d(hidden, Channels, 1)));
        register_module("box_filter", _boxFilter);
        register_module("conv", _conv);
    }

    public (Tensor FgrResidual, Tensor Alpha) Refine(Tensor fineImage, Tensor coarseImage, Tensor fgrResidual, Tensor alpha, Tensor hidden) =>
        GuidedFilter.Refine(fineImage, coarseImage, fgrResidual, alpha, _boxFilter.forward,
            (covXY, varX) => _conv.forward(cat(new[] { covXY, varX, hidden }, 1)));
}
