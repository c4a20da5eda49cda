using MatteKit.Onnx;

namespace MatteKit.Rvm;

/// <summary>
/// Mean over a (2r+1)^2 window as two separable depthwise convs with zero padding r: border windows
/// include the zeros and are still divided by the full window size.
/// </summary>
internal static class BoxFilter
{
    public static GraphValue Forward(GraphBuilder g, GraphValue x, int radius)
    {
        int k = 2 * radius + 1, channels = (int)x.Dim(1);
        var taps = Enumerable.Repeat(1f / k, channels * k).ToArray();
        var horizontal = g.Constant(taps, channels, 1, 1, k);
        var vertical = g.Constant(taps, channels, 1, k, 1);
        x = g.Conv(x, horizontal, null, (1, 1), (0, radius), groups: channels);
        return g.Conv(x, vertical, null, (1, 1), (radius, 0), groups: channels);
    }
}
