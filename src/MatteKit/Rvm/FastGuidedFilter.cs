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
        var (a, b) = Fit(g, coarseGuide, coarseOutput, Radius, Eps);
        return guide.Apply(g, a, b);
    }

    /// <summary>
    /// The linear coefficients per channel: <c>A = cov(x, y) / (var(x) + eps)</c>, <c>b = mean(y) - A mean(x)</c>
    /// over (2r+1)^2 windows (also the selfie models' edge, with their own radius and eps).
    /// </summary>
    internal static (GraphValue A, GraphValue B) Fit(GraphBuilder g, GraphValue x, GraphValue y, int radius, float eps)
    {
        var meanX = BoxFilter.Forward(g, x, radius);
        var meanY = BoxFilter.Forward(g, y, radius);
        var covXY = g.Sub(BoxFilter.Forward(g, g.Mul(x, y), radius), g.Mul(meanX, meanY));
        var varX = g.Sub(BoxFilter.Forward(g, g.Mul(x, x), radius), g.Mul(meanX, meanX));
        var a = g.Div(covXY, g.Add(varX, g.Constant(eps)));
        return (a, g.Sub(meanY, g.Mul(a, meanX)));
    }
}
