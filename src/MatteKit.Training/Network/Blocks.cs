using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MatteKit.Training.Network;

/// <summary>
/// Small builders for the layer groups the official modules are made of, so that the state-dict keys come out as
/// torchvision and RVM name them (a <c>Sequential</c> numbers its children 0, 1, 2 ...).
/// </summary>
internal static class Blocks
{
    /// <summary>Conv (no bias) + batch norm + activation, torchvision's ConvBNActivation: keys <c>0.*</c>, <c>1.*</c>.</summary>
    public static Module<Tensor, Tensor> ConvBatchNorm(long inChannels, long outChannels, long kernel, Activation activation,
        long stride = 1, long dilation = 1, long groups = 1, double eps = 1e-5, double momentum = 0.1)
    {
        long padding = (kernel - 1) / 2 * dilation;
        var conv = Conv2d(inChannels, outChannels, kernel, stride: stride, padding: padding, dilation: dilation, groups: groups, bias: false);
        var norm = BatchNorm2d(outChannels, eps: eps, momentum: momentum);
        return activation == Activation.None
            ? Sequential(("0", conv), ("1", norm))
            : Sequential(("0", conv), ("1", norm), ("2", ActivationModule(activation)));
    }

    public static Module<Tensor, Tensor> ActivationModule(Activation activation) => activation switch
    {
        Activation.Relu => ReLU(),
        Activation.HardSwish => Hardswish(),
        _ => Identity(),
    };

    /// <summary>Folds the time axis into the batch: <c>[B, T, C, H, W]</c> to <c>[B*T, C, H, W]</c>.</summary>
    public static Tensor FlattenTime(Tensor x) => x.flatten(0, 1);

    /// <summary>The inverse of <see cref="FlattenTime"/> for a sequence of <paramref name="batch"/> clips.</summary>
    public static Tensor UnflattenTime(Tensor x, long batch) => x.unflatten(0, new[] { batch, x.shape[0] / batch });

    /// <summary>Bilinear resize by a scale factor as RVM's <c>_interpolate</c> (align_corners false, the given scale kept).</summary>
    public static Tensor Resize(Tensor x, double scale) =>
        functional.interpolate(x, scale_factor: new[] { scale, scale }, mode: InterpolationMode.Bilinear,
            align_corners: false, recompute_scale_factor: false);

    /// <summary>Bilinear resize to an exact size (align_corners false).</summary>
    public static Tensor ResizeTo(Tensor x, long height, long width) =>
        functional.interpolate(x, size: new[] { height, width }, mode: InterpolationMode.Bilinear, align_corners: false);
}

/// <summary>The activations the official modules use.</summary>
internal enum Activation { None, Relu, HardSwish }
