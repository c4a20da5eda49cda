using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MatteKit.Training.Network;

/// <summary>
/// The fast guided filter (He and Sun 2015), radius 1, eps 1e-5, with a separable mean box filter: nothing to
/// learn. Guide: RGB + grey at network size and at full size.
/// </summary>
internal sealed class FastGuidedFilterRefiner : Module, IRefiner
{
    // Children are registered by hand under the official keys; the default would add every field again under its C# name.
    protected override void RegisterComponents() { }

    private const int Radius = 1;
    private const double Eps = 1e-5;

    public FastGuidedFilterRefiner() : base(nameof(FastGuidedFilterRefiner)) { }

    public (Tensor FgrResidual, Tensor Alpha) Refine(Tensor fineImage, Tensor coarseImage, Tensor fgrResidual, Tensor alpha, Tensor hidden) =>
        GuidedFilter.Refine(fineImage, coarseImage, fgrResidual, alpha, Box, (covXY, varX) => covXY / (varX + Eps));

    private static Tensor Box(Tensor x)
    {
        long channels = x.shape[1], k = 2 * Radius + 1;
        var kx = full(new[] { channels, 1, 1, k }, 1.0 / k, dtype: x.dtype);
        var ky = full(new[] { channels, 1, k, 1 }, 1.0 / k, dtype: x.dtype);
        x = functional.conv2d(x, kx, padding: new long[] { 0, Radius }, groups: channels);
        return functional.conv2d(x, ky, padding: new long[] { Radius, 0 }, groups: channels);
    }
}
