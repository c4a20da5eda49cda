namespace MatteKit.Tests.Training;

/// <summary>
/// Pillow's <c>Image.resize(size, BILINEAR)</c> on 8-bit RGB, which the official training scripts (and the BGMv2
/// training reference) use for backgrounds: a separable triangle filter whose support widens by the scale when
/// shrinking (antialiased), half-pixel centres, weights normalised per output pixel and rounded to 22-bit fixed
/// point; the horizontal pass first, rounded to 8 bits, then the vertical pass.
/// </summary>
internal static class PilBilinearResize
{
    private const int PrecisionBits = 32 - 8 - 2;

    public static byte[] Resize(byte[] rgb, int width, int height, int outWidth, int outHeight)
    {
        var horizontal = Pass(rgb, width, height, outWidth, horizontal: true);
        return Pass(horizontal, outWidth, height, outHeight, horizontal: false);
    }

    private static byte[] Pass(byte[] input, int width, int height, int outSize, bool horizontal)
    {
        int inSize = horizontal ? width : height;
        var (starts, weights) = Coefficients(inSize, outSize);
        int outWidth = horizontal ? outSize : width, outHeight = horizontal ? height : outSize;
        var output = new byte[outWidth * outHeight * 3];
        for (int y = 0; y < outHeight; y++)
            for (int x = 0; x < outWidth; x++)
            {
                int o = horizontal ? x : y;
                var k = weights[o];
                for (int c = 0; c < 3; c++)
                {
                    long sum = 1L << (PrecisionBits - 1);
                    for (int t = 0; t < k.Length; t++)
                    {
                        int s = starts[o] + t;
                        int index = horizontal ? (y * width + s) * 3 + c : (s * width + x) * 3 + c;
                        sum += input[index] * (long)k[t];
                    }
                    output[(y * outWidth + x) * 3 + c] = (byte)Math.Clamp(sum >> PrecisionBits, 0, 255);
                }
            }
        return output;
    }

    private static (int[] Starts, int[][] Weights) Coefficients(int inSize, int outSize)
    {
        double scale = (double)inSize / outSize, filterScale = Math.Max(scale, 1.0), support = 1.0 * filterScale;
        var starts = new int[outSize];
        var weights = new int[outSize][];
        for (int o = 0; o < outSize; o++)
        {
            double center = (o + 0.5) * scale, ss = 1.0 / filterScale;
            int min = Math.Max((int)(center - support + 0.5), 0);
            int max = Math.Min((int)(center + support + 0.5), inSize) - min;
            var k = new double[max];
            double sum = 0;
            for (int x = 0; x < max; x++)
            {
                double t = Math.Abs((x + min - center + 0.5) * ss);
                k[x] = t < 1 ? 1 - t : 0;
                sum += k[x];
            }
            starts[o] = min;
            weights[o] = k.Select(w =>
            {
                double v = sum != 0 ? w / sum : w;
                return v < 0 ? (int)(v * (1 << PrecisionBits) - 0.5) : (int)(v * (1 << PrecisionBits) + 0.5);
            }).ToArray();
        }
        return (starts, weights);
    }
}
