namespace MatteKit.Onnx;

/// <summary>
/// TensorFlow's SAME padding: the output is <c>ceil(n / stride)</c> and the total padding that needs is split with
/// the extra pixel on the far side (bottom, right), where ONNX's symmetric pads would put it on both.
/// </summary>
internal static class TensorFlowPadding
{
    public static (int Top, int Left, int Bottom, int Right) Same(long height, long width, (int H, int W) stride, int kh, int kw)
    {
        static int Total(long n, int s, int k) => (int)Math.Max(((n + s - 1) / s - 1) * s + k - n, 0);
        int th = Total(height, stride.H, kh), tw = Total(width, stride.W, kw);
        return (th / 2, tw / 2, th - th / 2, tw - tw / 2);
    }
}
