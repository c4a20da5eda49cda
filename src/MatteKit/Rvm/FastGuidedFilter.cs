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

    /// <summary>
    /// Fits A and b to the network's 4 channels (fgr residual, alpha) against the guide at network resolution and
    /// returns the final matte at full resolution, not yet clamped (<see cref="RefinerGuide.Apply"/>).
    /// </summary>
    public static GraphValue Forward(GraphBuilder g, RefinerGuide guide, GraphValue coarseGuide, GraphValue coarseOutput)
    {
        var lrX = coarseGuide;
        var lrY = coarseOutput;

        var meanX = BoxFilter.Forward(g, lrX, Radius);
        var meanY = BoxFilter.Forward(g, lrY, Radius);
        var covXY = g.Sub(BoxFilter.Forward(g, g.Mul(lrX, lrY), Radius), g.Mul(meanX, meanY));
        var varX = g.Sub(BoxFilter.Forward(g, g.Mul(lrX, lrX), Radius), g.Mul(meanX, meanX));
        var a = g.Div(covXY, g.Add(varX, g.Constant(Eps)));
        var b = g.Sub(meanY, g.Mul(a, meanX));
        return guide.Apply(g, a, b);
    }
}
