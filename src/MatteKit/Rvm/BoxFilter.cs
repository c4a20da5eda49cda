using MatteKit.Onnx;

namespace MatteKit.Rvm;

/// <summary>
/// The fast guided filter's box filter: mean over a (2r+1)^2 window with zero padding r, border windows divided by
/// the full window size too. The official model runs it as two separable depthwise convs of weight 1/(2r+1); an
/// average pool that counts the padding sums the same window. ONNX Runtime runs the pool on the 4 channels as
/// they are, where it pads depthwise convs to its 16-channel blocks and reorders in and out of them.
/// </summary>
internal static class BoxFilter
{
    public static GraphValue Forward(GraphBuilder g, GraphValue x, int radius) => g.BoxMean(x, radius);
}
