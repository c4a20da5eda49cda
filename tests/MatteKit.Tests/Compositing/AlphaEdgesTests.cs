using MatteKit.Compositing;
using MatteKit.Conversion;
using Xunit;

namespace MatteKit.Tests.Compositing;

/// <summary>
/// The edge controls on shapes whose answers are known: a soft disc choked (or grown) by k has its half-alpha contour
/// k pixels in (out) within half a pixel and an edge as soft; a feathered step is the Gaussian's integral and a
/// feathered disc keeps its mean; levels are exact on a ramp; the sliding minimum equals a direct one at odd sizes.
/// </summary>
public sealed class AlphaEdgesTests
{
    private const int W = 73, H = 69;

    [Theory]
    [InlineData(3)]
    [InlineData(1)]
    [InlineData(-3)]
    [InlineData(7)]
    public void ChokeMovesTheHalfContourByItsPixelsAndKeepsTheEdgeSoft(int k)
    {
        const double radius = 22;
        var disc = SoftDisc(radius, softness: 3);
        var choked = disc.ToArray();
        new AlphaEdges(k, 0, 0, 1).Apply(choked, W, H);
        double before = ContourRadius(disc), after = ContourRadius(choked);
        Assert.True(Math.Abs(before - k - after) <= 0.5, $"choke {k}: contour radius {before:0.00} -> {after:0.00}");
        // Grey-level: the soft band keeps its width (partial pixels scale with the contour's length).
        double partialShare(byte[] a) => a.Count(v => v is > 0 and < 255) / ContourRadius(a);
        Assert.InRange(partialShare(choked) / partialShare(disc), 0.8, 1.25);
    }

    [Fact]
    public void FeatherIsTheGaussiansIntegralOnAStepAndKeepsADiscsMean()
    {
        const float sigma = 2.5f;
        var step = new byte[W * H];
        for (int y = 0; y < H; y++) for (int x = 0; x < 30; x++) step[y * W + x] = 255;
        new AlphaEdges(0, sigma, 0, 1).Apply(step, W, H);
        for (int x = 20; x < 40; x++)
        {
            // Column x holds the kernel's weight over columns < 30: the Gaussian's integral up to the edge.
            double expected = 255 * Phi((29.5 - x) / sigma);
            Assert.True(Math.Abs(step[H / 2 * W + x] - expected) <= 2, $"column {x}: {step[H / 2 * W + x]}, Gaussian {expected:0.0}");
        }
        var disc = SoftDisc(15, softness: 1);
        var feathered = disc.ToArray();
        new AlphaEdges(0, 4, 0, 1).Apply(feathered, W, H);
        Assert.True(Math.Abs(feathered.Average(v => (double)v) - disc.Average(v => (double)v)) < 0.5, "the mean alpha changed");
        Assert.True(feathered.Count(v => v is > 0 and < 255) > 2 * disc.Count(v => v is > 0 and < 255), "the edge did not widen");
    }

    [Theory]
    [InlineData(0.05f, 1f)]
    [InlineData(0.2f, 0.8f)]
    [InlineData(0f, 0.5f)]
    public void LevelsAreExactOnARamp(float low, float high)
    {
        var ramp = Enumerable.Range(0, 256).Select(v => (byte)v).ToArray();
        new AlphaEdges(0, 0, low, high).Apply(ramp, 256, 1);
        for (int v = 0; v < 256; v++)
        {
            double a = v / 255.0;
            double expected = a <= low ? 0 : a >= high ? 255 : (a - low) / (high - low) * 255;
            Assert.True(Math.Abs(ramp[v] - expected) <= 0.5 + 1e-9, $"{v}: {ramp[v]}, expected {expected:0.00}");
        }
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(37, 3)]
    [InlineData(5, 9)]
    [InlineData(101, 17)]
    public void SlidingMinEqualsADirectMinimumWithTheEndsContinued(int length, int half)
    {
        var random = new Random(length * 31 + half);
        var row = new byte[length];
        random.NextBytes(row);
        var got = new byte[length];
        AlphaEdges.SlidingMin(row, half, got);
        for (int x = 0; x < length; x++)
        {
            int min = 255;
            for (int d = -half; d <= half; d++) min = Math.Min(min, row[Math.Clamp(x + d, 0, length - 1)]);
            Assert.Equal(min, got[x]);
        }
    }

    [Theory]
    [InlineData(65f, 0f, 0f, 1f, "AlphaChoke must be a whole number of pixels from -64 to 64, got 65")]
    [InlineData(0.5f, 0f, 0f, 1f, "AlphaChoke must be a whole number of pixels from -64 to 64, got 0.5")]
    [InlineData(0f, -1f, 0f, 1f, "AlphaFeather must be a number of pixels from 0 to 64, got -1")]
    [InlineData(0f, 0f, 0.5f, 0.5f, "the alpha levels must be LOW:HIGH with 0 <= LOW < HIGH <= 1, got 0.5:0.5")]
    [InlineData(float.NaN, 0f, 0f, 1f, "AlphaChoke must be a whole number of pixels from -64 to 64, got NaN")]
    public void OutOfBoundsSettingsAreOneLine(float choke, float feather, float low, float high, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => new MattingSettings { AlphaChoke = choke, AlphaFeather = feather, AlphaLevelLow = low, AlphaLevelHigh = high }.Validate());
        Assert.StartsWith(message, e.Message);
    }

    /// <summary>A disc of this radius at the frame's centre whose alpha falls from 1 to 0 over <paramref name="softness"/> pixels.</summary>
    private static byte[] SoftDisc(double radius, double softness)
    {
        var alpha = new byte[W * H];
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
            {
                double d = Math.Sqrt(Math.Pow(x + 0.5 - W / 2.0, 2) + Math.Pow(y + 0.5 - H / 2.0, 2));
                alpha[y * W + x] = (byte)Math.Round(255 * Math.Clamp((radius - d) / softness + 0.5, 0, 1));
            }
        return alpha;
    }

    /// <summary>The radius of the half-alpha contour: the mean over rays of where alpha crosses 127.5, interpolated.</summary>
    private static double ContourRadius(byte[] alpha)
    {
        double sum = 0;
        const int rays = 64;
        for (int k = 0; k < rays; k++)
        {
            double angle = 2 * Math.PI * k / rays, previous = 255, previousR = 0;
            for (double r = 0; r < 34; r += 0.05)
            {
                double v = Bilinear(alpha, W / 2.0 + r * Math.Cos(angle), H / 2.0 + r * Math.Sin(angle));
                if (v < 127.5)
                {
                    sum += previousR + (r - previousR) * (previous - 127.5) / (previous - v);
                    break;
                }
                (previous, previousR) = (v, r);
            }
        }
        return sum / rays;
    }

    private static double Bilinear(byte[] a, double fx, double fy)
    {
        double x = fx - 0.5, y = fy - 0.5;
        int x0 = (int)Math.Floor(x), y0 = (int)Math.Floor(y);
        double tx = x - x0, ty = y - y0;
        double At(int u, int v) => a[Math.Clamp(v, 0, H - 1) * W + Math.Clamp(u, 0, W - 1)];
        return (At(x0, y0) * (1 - tx) + At(x0 + 1, y0) * tx) * (1 - ty) + (At(x0, y0 + 1) * (1 - tx) + At(x0 + 1, y0 + 1) * tx) * ty;
    }

    private static double Phi(double z) => 0.5 * (1 + Erf(z / Math.Sqrt(2)));

    // Abramowitz and Stegun 7.1.26: within 1.5e-7, far below a 255th.
    private static double Erf(double x)
    {
        double t = 1 / (1 + 0.3275911 * Math.Abs(x));
        double y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.Exp(-x * x);
        return x >= 0 ? y : -y;
    }
}
