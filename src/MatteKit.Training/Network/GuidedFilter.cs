using static TorchSharp.torch;

namespace MatteKit.Training.Network;

/// <summary>
/// What both guided-filter refiners share: the guide is RGB plus its grey mean, at network size and full size; local
/// means, covariance and variance at network size come from a box filter; A is the refiner's (a division for the
/// fast one, a small conv net for the deep one); <c>b = mean(y) - A mean(x)</c>; A and b are upsampled bilinearly
/// and applied to the full-size guide.
/// </summary>
internal static class GuidedFilter
{
    /// <param name="box">the local mean filter</param>
    /// <param name="coefficientA">A from the covariance and the variance (each <c>[N, 4, h, w]</c>)</param>
    public static (Tensor FgrResidual, Tensor Alpha) Refine(Tensor fineImage, Tensor coarseImage, Tensor fgrResidual, Tensor alpha,
        Func<Tensor, Tensor> box, Func<Tensor, Tensor, Tensor> coefficientA)
    {
        var fineX = cat(new[] { fineImage, fineImage.mean(new long[] { 1 }, keepdim: true) }, 1);
        var coarseX = cat(new[] { coarseImage, coarseImage.mean(new long[] { 1 }, keepdim: true) }, 1);
        var y = cat(new[] { fgrResidual, alpha }, 1);
        var meanX = box(coarseX);
        var meanY = box(y);
        var covXY = box(coarseX * y) - meanX * meanY;
        var varX = box(coarseX * coarseX) - meanX * meanX;
        var a = coefficientA(covXY, varX);
        var b = meanY - a * meanX;
        long h = fineImage.shape[2], w = fineImage.shape[3];
        var output = Blocks.ResizeTo(a, h, w) * fineX + Blocks.ResizeTo(b, h, w);
        var parts = output.split(new long[] { 3, 1 }, 1);
        return (parts[0], parts[1]);
    }
}
