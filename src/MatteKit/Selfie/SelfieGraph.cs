using MatteKit.Layers;
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
    /// eps than RVM's learned 1e-5 keeps A near 0 there; chosen on composites with exact ground truth (docs/selfie-and-subject.md).
    /// </summary>
    public const int GuideRadius = 2;
    public const float GuideEps = 1e-3f;

    public static Layers.ModelGraph Build(SelfieNetwork network, int width, int height, SelfieEdge edge)
    {
        var g = new GraphBuilder("mediapipe_selfie");
        var src = g.Input("src", DataType.Uint8, 1, 3, height, width);
        var prev = g.Input("prev", DataType.Float, 1, 1, network.Height, network.Width);
        var keep = g.Input("keep", DataType.Float, 1);

        // Resizing the uint8 planes directly (no float copy of the frame) measured no faster in ONNX Runtime 1.31.
        var small = g.ResizeBilinearToSize(g.Mul(g.Cast(src, DataType.Float), g.Constant(1f / 255)), network.Height, network.Width);
        var probability = TfliteTranslator.Translate(g, network.Model, small);
        var smoothed = g.Add(probability, g.Mul(g.Sub(prev, probability), keep));
        g.Output(smoothed, "next");

        GraphValue alpha = edge switch
        {
            SelfieEdge.Bilinear => g.ResizeBilinearToSize(smoothed, height, width),
            SelfieEdge.GuidedFilter => GuidedFilter(g, src, small, smoothed),
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
    /// on the grey guide I and mask p at network resolution, upsampled, and applied to the frame's grey. At full
    /// resolution the grey is <c>R + G + B</c> as one exact byte product, its 1/765 folded into A.
    /// </summary>
    private static GraphValue GuidedFilter(GraphBuilder g, GraphValue src, GraphValue smallRgb, GraphValue mask)
    {
        long h = src.Dim(2), w = src.Dim(3), sh = smallRgb.Dim(2), sw = smallRgb.Dim(3);
        var grey = g.Reshape(g.MatMul(g.Constant(new[] { 1f / 3, 1f / 3, 1f / 3 }, 1, 3), g.Reshape(smallRgb, 3, sh * sw)), 1, 1, sh, sw);
        var (a, b) = FastGuidedFilter.Fit(g, grey, mask, GuideRadius, GuideEps);
        var fullGrey = g.Reshape(g.MatMulBytesToFloat(g.ByteTensor(new byte[] { 1, 1, 1 }, 1, 3), g.Reshape(src, 3, h * w)), 1, 1, h, w);
        var scaledA = g.Mul(a, g.Constant(1f / 765));
        return g.Add(g.Mul(g.ResizeBilinearToSize(scaledA, h, w), fullGrey), g.ResizeBilinearToSize(b, h, w));
    }
}
