using MatteKit.Onnx;
using DataType = MatteKit.Onnx.Protobuf.TensorProto.Types.DataType;

namespace MatteKit.Rvm;

/// <summary>
/// The guide both refiners read at full resolution, [R, G, B, grey] per pixel, made once from the frame: from planar
/// bytes [T, 3, H, W] it is <c>[R, G, B, R+G+B]</c> in byte units, one exact integer matrix product
/// (<see cref="GraphBuilder.MatMulBytesToFloat"/>) with no float copy of the frame; from planar floats in 0..1 it is
/// [R, G, B, mean]. <see cref="Factors"/> bring each channel to 0..1.
/// </summary>
internal sealed record RefinerGuide(GraphValue Guide, float[] Factors)
{
    public static RefinerGuide FromFrame(GraphBuilder g, GraphValue planarFrame)
    {
        long n = planarFrame.Dim(0), h = planarFrame.Dim(2), w = planarFrame.Dim(3);
        var planes = n == 1 ? g.Reshape(planarFrame, 3, h * w) : g.Reshape(planarFrame, n, 3, h * w);
        if (planarFrame.ElementType == DataType.Uint8)
        {
            var rgbToGuide = g.ByteTensor(new byte[] { 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1 }, 4, 3);
            return new(g.Reshape(g.MatMulBytesToFloat(rgbToGuide, planes), n, 4, h, w), new[] { 1f / 255, 1f / 255, 1f / 255, 1f / 765 });
        }
        var rgbToMean = g.Constant(new[] { 1f, 0f, 0f, 0f, 1f, 0f, 0f, 0f, 1f, 1f / 3, 1f / 3, 1f / 3 }, 4, 3);
        return new(g.Reshape(g.MatMul(rgbToMean, planes), n, 4, h, w), new[] { 1f, 1f, 1f, 1f });
    }

    /// <summary>The guide at network resolution, in 0..1: what the refiners fit their coefficients to.</summary>
    public GraphValue Downsampled(GraphBuilder g, RvmGeometry geo)
        => g.Mul(g.ResizeBilinearByScale(Guide, geo.DownsampleRatio, geo.NetworkHeight, geo.NetworkWidth), g.Constant(Factors, 1, 4, 1, 1));

    /// <summary>
    /// The final matte, not yet clamped, from linear coefficients fitted at network resolution: foreground
    /// <c>A * src + b + src</c> (the network predicts a residual) in channels 0..2, alpha <c>A * grey + b</c> in 3.
    /// </summary>
    /// <remarks>
    /// Everything at full resolution is memory-bound, so the work there is kept to the fewest passes: the residual's
    /// <c>+ src</c> is folded into A as <c>A + 1</c> at network resolution (bilinear weights sum to one, so upsampling
    /// commutes with it), and so are the guide's factors; A and b are upsampled as two 4-channel maps (ONNX Runtime's
    /// bilinear kernel splits its work by channel, so 3 + 1 channels leave a thread idle); and the matte stays one
    /// tensor, where splitting it into foreground and alpha would be one more full-resolution copy.
    /// </remarks>
    public GraphValue Apply(GraphBuilder g, GraphValue a, GraphValue b)
    {
        var residual = g.Constant(new[] { 1f, 1f, 1f, 0f }, 1, 4, 1, 1);
        var scale = g.Mul(g.Add(a, residual), g.Constant(Factors, 1, 4, 1, 1));
        long h = Guide.Dim(2), w = Guide.Dim(3);
        return g.Add(g.Mul(g.ResizeBilinearToSize(scale, h, w), Guide), g.ResizeBilinearToSize(b, h, w));
    }
}
