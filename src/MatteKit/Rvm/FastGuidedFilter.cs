using MatteKit.Onnx;
using DataType = MatteKit.Onnx.Protobuf.TensorProto.Types.DataType;

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
    /// The guide at full resolution, [R, G, B, grey] per pixel, from the frame as planar bytes [T, 3, H, W] or as
    /// planar floats in 0..1, and the per-channel factors that bring it to 0..1. Bytes give <c>[R, G, B, R+G+B]</c>
    /// in byte units (factors 1/255 and 1/765): one exact integer matrix product, with no float copy of the frame.
    /// </summary>
    public static (GraphValue Guide, float[] Factors) Guide(GraphBuilder g, GraphValue frame)
    {
        long n = frame.Dim(0), h = frame.Dim(2), w = frame.Dim(3);
        var planes = n == 1 ? g.Reshape(frame, 3, h * w) : g.Reshape(frame, n, 3, h * w);
        GraphValue guide;
        float[] factors;
        if (frame.ElementType == DataType.Uint8)
        {
            var rgbToGuide = g.ByteTensor(new byte[] { 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1 }, 4, 3);
            guide = g.MatMulBytesToFloat(rgbToGuide, planes);
            factors = new[] { 1f / 255, 1f / 255, 1f / 255, 1f / 765 };
        }
        else
        {
            var rgbToGuide = g.Constant(new[] { 1f, 0f, 0f, 0f, 1f, 0f, 0f, 0f, 1f, 1f / 3, 1f / 3, 1f / 3 }, 4, 3);
            guide = g.MatMul(rgbToGuide, planes);
            factors = new[] { 1f, 1f, 1f, 1f };
        }
        return (g.Reshape(guide, n, 4, h, w), factors);
    }

    /// <summary>
    /// Refines the network's 4 channels (fgr residual, alpha) to full resolution and returns them as one
    /// 4-channel matte, not yet clamped: the final foreground <c>A * src + b + src</c> in channels 0..2 and alpha
    /// <c>A * grey + b</c> in channel 3. <paramref name="coarseGuide"/> is [R, G, B, grey] in 0..1 at network
    /// resolution; <paramref name="fineGuide"/> is the same at full resolution times <paramref name="fineFactors"/>
    /// (see <see cref="Guide"/>), which are divided out of A at network resolution.
    /// </summary>
    /// <remarks>
    /// Everything at full resolution is memory-bound, so the work there is kept to the fewest passes: the residual's
    /// <c>+ src</c> is folded into A as <c>A + 1</c> at network resolution (bilinear weights sum to one, so
    /// upsampling commutes with it), and so are the guide's factors. A and b are upsampled as two 4-channel maps
    /// (ONNX Runtime's bilinear kernel splits its work by channel, so 3 + 1 channels leave a thread idle), and the
    /// matte stays one tensor: splitting it into foreground and alpha would be one more full-resolution copy.
    /// </remarks>
    public static GraphValue Forward(GraphBuilder g, GraphValue fineGuide, float[] fineFactors, GraphValue coarseGuide, GraphValue coarseOutput)
    {
        var lrX = coarseGuide;
        var lrY = coarseOutput;

        var meanX = BoxFilter.Forward(g, lrX, Radius);
        var meanY = BoxFilter.Forward(g, lrY, Radius);
        var covXY = g.Sub(BoxFilter.Forward(g, g.Mul(lrX, lrY), Radius), g.Mul(meanX, meanY));
        var varX = g.Sub(BoxFilter.Forward(g, g.Mul(lrX, lrX), Radius), g.Mul(meanX, meanX));
        var a = g.Div(covXY, g.Add(varX, g.Constant(Eps)));
        var b = g.Sub(meanY, g.Mul(a, meanX));

        var residual = g.Constant(new[] { 1f, 1f, 1f, 0f }, 1, 4, 1, 1);
        var scale = g.Mul(g.Add(a, residual), g.Constant(fineFactors, 1, 4, 1, 1));
        long h = fineGuide.Dim(2), w = fineGuide.Dim(3);
        var scaleMap = g.ResizeBilinearToSize(scale, h, w);
        var offsetMap = g.ResizeBilinearToSize(b, h, w);
        return g.Add(g.Mul(scaleMap, fineGuide), offsetMap);
    }
}
