using MatteKit.Onnx;
using MatteKit.Rvm;
using DataType = MatteKit.Onnx.Protobuf.TensorProto.Types.DataType;

namespace MatteKit.Selfie;

/// <summary>
/// A selfie network as an ONNX graph for one frame size: the frame (planar bytes) is stretched to the network's
/// input (MediaPipe's own preprocessing: no letterbox, RGB in 0..1), the network gives a person probability, the
/// previous frame's probability may be blended in (temporal smoothing), and the mask comes back to the frame's size
/// either bilinearly or through a fast guided filter guided by the frame's grey, so its edge follows the picture
/// rather than the network's 256-pixel grid.
/// </summary>
/// <remarks>
/// Inputs: <c>src</c> uint8 [1, 3, H, W]; <c>prev</c> float [1, 1, h, w], the last smoothed probability;
/// <c>keep</c> float [1], the share of <c>prev</c> in this frame's mask (0 on a first frame). Outputs: <c>pha</c>
/// uint8 [1, 1, H, W]; <c>next</c> float [1, 1, h, w], the smoothed probability the next frame reads as <c>prev</c>.
/// The network alone (float RGB [1, 3, h, w] in, probability out) is <see cref="BuildNetworkOnly"/>.
/// </remarks>
internal static class SelfieGraph
{
    /// <summary>
    /// Radius and regulariser of the guided filter at network resolution. A mask is flat inside and out, so a larger
    /// eps than RVM's learned 1e-5 keeps A near 0 there; chosen on composites with exact ground truth (README).
    /// </summary>
    public const int GuideRadius = 1;
    public const float GuideEps = 1e-3f;

    public static Layers.ModelGraph Build(SelfieNetwork network, int width, int height, SelfieEdge edge)
    {
        var g = new GraphBuilder("mediapipe_selfie");
        var src = g.Input("src", DataType.Uint8, 1, 3, height, width);
        var prev = g.Input("prev", DataType.Float, 1, 1, network.Height, network.Width);
        var keep = g.Input("keep", DataType.Float, 1);

        var guide = RefinerGuide.FromFrame(g, src);
        var small = g.Mul(g.ResizeBilinearToSize(guide.Guide, network.Height, network.Width), g.Constant(guide.Factors, 1, 4, 1, 1));
        var parts = g.Split(small, 1, 3, 1);
        var probability = TfliteTranslator.Translate(g, network.Model, parts[0]);
        var smoothed = g.Add(probability, g.Mul(g.Sub(prev, probability), keep));
        g.Output(smoothed, "next");

        GraphValue alpha = edge switch
        {
            SelfieEdge.Bilinear => g.ResizeBilinearToSize(smoothed, height, width),
            SelfieEdge.GuidedFilter => GuidedFilter(g, guide, parts[1], smoothed),
            _ => throw new ArgumentOutOfRangeException(nameof(edge), edge, null),
        };
        g.Output(g.FloatToBytes(alpha, 1f / 255), "pha");
        return new Layers.ModelGraph(g.ToBytes(), g.ConvMultiplyAdds);
    }

    /// <summary>The translated network alone: float RGB [1, 3, h, w] in 0..1 as <c>image</c>, probability [1, 1, h, w] as <c>mask</c>.</summary>
    public static byte[] BuildNetworkOnly(SelfieNetwork network)
    {
        var g = new GraphBuilder("mediapipe_selfie_network");
        var image = g.Input("image", DataType.Float, 1, 3, network.Height, network.Width);
        g.Output(TfliteTranslator.Translate(g, network.Model, image), "mask");
        return g.ToBytes();
    }

    /// <summary>
    /// One-channel fast guided filter: <c>A = cov(I, p) / (var(I) + eps)</c>, <c>b = mean(p) - A mean(I)</c> fitted
    /// on the grey guide I and mask p at network resolution, upsampled, and applied to the frame's grey.
    /// </summary>
    private static GraphValue GuidedFilter(GraphBuilder g, RefinerGuide guide, GraphValue grey, GraphValue mask)
    {
        var meanI = BoxFilter.Forward(g, grey, GuideRadius);
        var meanP = BoxFilter.Forward(g, mask, GuideRadius);
        var cov = g.Sub(BoxFilter.Forward(g, g.Mul(grey, mask), GuideRadius), g.Mul(meanI, meanP));
        var variance = g.Sub(BoxFilter.Forward(g, g.Mul(grey, grey), GuideRadius), g.Mul(meanI, meanI));
        var a = g.Div(cov, g.Add(variance, g.Constant(GuideEps)));
        var b = g.Sub(meanP, g.Mul(a, meanI));
        long h = guide.Guide.Dim(2), w = guide.Guide.Dim(3);
        // The frame's grey channel in its stored units; its factor goes into A at network resolution.
        var fullGrey = g.Split(guide.Guide, 1, 3, 1)[1];
        var scaledA = g.Mul(a, g.Constant(guide.Factors[3]));
        return g.Add(g.Mul(g.ResizeBilinearToSize(scaledA, h, w), fullGrey), g.ResizeBilinearToSize(b, h, w));
    }
}
