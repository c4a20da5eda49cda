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
    /// Refines the network's 4 channels (fgr residual, alpha) to full resolution and returns them as one clamped
    /// 4-channel matte, not yet clamped: the final foreground <c>A * src + b + src</c> in channels 0..2 and alpha
    /// <c>A * grey + b</c> in channel 3. <paramref name="fineImage"/> may carry a factor
    /// (<paramref name="fineScale"/>, e.g. 255 for bytes); it is divided out of A at network resolution.
    /// </summary>
    /// <remarks>
    /// Everything at full resolution is memory-bound, so the work there is kept to the fewest passes: the residual's
    /// <c>+ src</c> is folded into A as <c>A + 1</c> at network resolution (bilinear weights sum to one, so
    /// upsampling commutes with it), the fine image's factor is divided out of A there too, and the guide
    /// [R, G, B, grey] comes from the image in one matrix product. A and b are upsampled as two 4-channel maps
    /// (ONNX Runtime's bilinear kernel splits its work by channel, so 3 + 1 channels leave a thread idle), and the
    /// matte stays one tensor: splitting it into foreground and alpha would be one more full-resolution copy.
    /// </remarks>
    public static GraphValue Forward(GraphBuilder g, GraphValue fineImage, float fineScale, GraphValue coarseImage, GraphValue coarseOutput)
    {
        var lrX = g.Concat(1, coarseImage, g.ChannelMean(coarseImage));
        var lrY = coarseOutput;

        var meanX = BoxFilter.Forward(g, lrX, Radius);
        var meanY = BoxFilter.Forward(g, lrY, Radius);
        var covXY = g.Sub(BoxFilter.Forward(g, g.Mul(lrX, lrY), Radius), g.Mul(meanX, meanY));
        var varX = g.Sub(BoxFilter.Forward(g, g.Mul(lrX, lrX), Radius), g.Mul(meanX, meanX));
        var a = g.Div(covXY, g.Add(varX, g.Constant(Eps)));
        var b = g.Sub(meanY, g.Mul(a, meanX));

        float unit = 1f / fineScale;
        var residual = g.Constant(new[] { 1f, 1f, 1f, 0f }, 1, 4, 1, 1);
        var scale = g.Mul(g.Add(a, residual), g.Constant(unit));
        long n = fineImage.Dim(0), h = fineImage.Dim(2), w = fineImage.Dim(3);
        var scaleMap = g.ResizeBilinearToSize(scale, h, w);
        var offsetMap = g.ResizeBilinearToSize(b, h, w);

        var rgbToGuide = g.Constant(new[] { 1f, 0f, 0f, 0f, 1f, 0f, 0f, 0f, 1f, 1f / 3, 1f / 3, 1f / 3 }, 4, 3);
        var planes = n == 1 ? g.Reshape(fineImage, 3, h * w) : g.Reshape(fineImage, n, 3, h * w);
        var guide = g.Reshape(g.MatMul(rgbToGuide, planes), n, 4, h, w);
        return g.Add(g.Mul(scaleMap, guide), offsetMap);
    }
}
