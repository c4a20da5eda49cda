using MatteKit.Onnx;

namespace MatteKit.Rvm;

/// <summary>
/// Fast guided filter refiner (Wu et al. 2018) with radius 1 and eps 1e-5. Guide = RGB plus its grey mean;
/// the linear coefficients <c>A = cov(x, y) / (var(x) + eps)</c>, <c>b = mean(y) - A * mean(x)</c> are fitted at
/// network resolution, upsampled bilinearly, and applied to the full-resolution guide.
/// </summary>
internal static class FastGuidedFilter
{
    private const int Radius = 1;
    private const float Eps = 1e-5f;

    /// <returns>The refined 4 channels: fgr residual (3) and alpha (1), at full resolution.</returns>
    public static GraphValue Forward(GraphBuilder g, GraphValue fineImage, GraphValue coarseImage, GraphValue coarseOutput)
    {
        var lrX = g.Concat(1, coarseImage, g.ChannelMean(coarseImage));
        var hrX = g.Concat(1, fineImage, g.ChannelMean(fineImage));
        var lrY = coarseOutput;

        var meanX = BoxFilter.Forward(g, lrX, Radius);
        var meanY = BoxFilter.Forward(g, lrY, Radius);
        var covXY = g.Sub(BoxFilter.Forward(g, g.Mul(lrX, lrY), Radius), g.Mul(meanX, meanY));
        var varX = g.Sub(BoxFilter.Forward(g, g.Mul(lrX, lrX), Radius), g.Mul(meanX, meanX));

        var a = g.Div(covXY, g.Add(varX, g.Constant(Eps)));
        var b = g.Sub(meanY, g.Mul(a, meanX));
        a = g.ResizeBilinearToSize(a, hrX.Dim(2), hrX.Dim(3));
        b = g.ResizeBilinearToSize(b, hrX.Dim(2), hrX.Dim(3));
        return g.Add(g.Mul(a, hrX), b);
    }
}
