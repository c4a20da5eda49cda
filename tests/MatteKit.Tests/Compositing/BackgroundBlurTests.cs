using MatteKit.Compositing;

namespace MatteKit.Tests.Compositing;

/// <summary>The <c>blur[:SIGMA]</c> background: a flat picture stays flat, and an edge spreads as a Gaussian of that sigma would.</summary>
public sealed class BackgroundBlurTests
{
    [Fact]
    public void FlatPictureStaysFlat()
    {
        const int w = 101, h = 37;
        var rgb = new byte[w * h * 3];
        for (int i = 0; i < w * h; i++) (rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]) = (10, 200, 77);
        var dst = new byte[rgb.Length];
        new BackgroundBlur(12).Apply(rgb, w, h, dst);
        Assert.Equal(rgb, dst);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(16)]
    [InlineData(30)]
    public void EdgeSpreadsBySigma(double sigma)
    {
        // A vertical edge, black to white: after a Gaussian blur the profile is its CDF, whose derivative has the
        // sigma given. Measure the derivative's standard deviation along a row.
        const int w = 640, h = 64;
        var rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
            for (int x = w / 2; x < w; x++)
                rgb[(y * w + x) * 3] = rgb[(y * w + x) * 3 + 1] = rgb[(y * w + x) * 3 + 2] = 255;
        var dst = new byte[rgb.Length];
        new BackgroundBlur(sigma).Apply(rgb, w, h, dst);
        int row = h / 2;
        double sum = 0, mean = 0, second = 0;
        for (int x = 1; x < w; x++)
        {
            double d = dst[(row * w + x) * 3] - dst[(row * w + x - 1) * 3];
            sum += d;
            mean += d * (x - 0.5);
        }
        mean /= sum;
        for (int x = 1; x < w; x++)
        {
            double d = dst[(row * w + x) * 3] - dst[(row * w + x - 1) * 3];
            second += d * (x - 0.5 - mean) * (x - 0.5 - mean);
        }
        double measured = Math.Sqrt(second / sum);
        Assert.Equal(255, sum, 1);
        Assert.InRange(measured, sigma * 0.85, sigma * 1.2);
    }
}
