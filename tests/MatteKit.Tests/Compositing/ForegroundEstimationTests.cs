using MatteKit.Compositing;
using Xunit;

namespace MatteKit.Tests.Compositing;

/// <summary>
/// Foreground estimation on a composite with a known answer: a smooth foreground over a different smooth background
/// through a soft edge. Where alpha is soft the estimate is far closer to the true foreground than the frame's own
/// colour is (which holds the old background), and a new composition with it is close to the true one; inside the
/// opaque part the estimate is the frame.
/// </summary>
public sealed class ForegroundEstimationTests
{
    [Theory]
    [InlineData(61, 47)]
    [InlineData(128, 72)]
    public void SoftEdgesLoseTheOldBackgroundsColour(int width, int height)
    {
        var (frame, alpha, truth) = Composite(width, height);
        var estimate = new byte[width * height * 3];
        new ForegroundEstimation().Estimate(frame, alpha, width, height, estimate);
        double naive = 0, estimated = 0, composedNaive = 0, composedEstimate = 0;
        int soft = 0;
        var newBackground = new byte[] { 30, 220, 40 };
        for (int i = 0; i < width * height; i++)
        {
            int x = i % width, y = i / width;
            if (alpha[i] == 255)
            {
                // Inside the opaque part (its neighbours opaque too) the foreground is the frame.
                bool inside = x > 0 && x < width - 1 && y > 0 && y < height - 1 && alpha[i - 1] == 255 && alpha[i + 1] == 255 && alpha[i - width] == 255 && alpha[i + width] == 255;
                for (int c = 0; c < 3 && inside; c++) Assert.True(Math.Abs(estimate[3 * i + c] - frame[3 * i + c]) <= 2, $"({x}, {y}): opaque, yet the estimate moved from the frame: {estimate[3 * i + c]} vs {frame[3 * i + c]} channel {c}");
                continue;
            }
            if (alpha[i] < 26 || alpha[i] > 229) continue; // between 0.1 and 0.9: the estimate is defined there
            soft++;
            double a = alpha[i] / 255.0;
            for (int c = 0; c < 3; c++)
            {
                naive += Math.Abs(frame[3 * i + c] - truth[3 * i + c]);
                estimated += Math.Abs(estimate[3 * i + c] - truth[3 * i + c]);
                double composed = a * truth[3 * i + c] + (1 - a) * newBackground[c];
                composedNaive += Math.Abs(a * frame[3 * i + c] + (1 - a) * newBackground[c] - composed);
                composedEstimate += Math.Abs(a * estimate[3 * i + c] + (1 - a) * newBackground[c] - composed);
            }
        }
        Assert.True(soft > 50, $"only {soft} soft pixels");
        Assert.True(estimated < 0.25 * naive, $"foreground error {estimated / soft / 3:0.0} against the frame's {naive / soft / 3:0.0} a channel");
        Assert.True(composedEstimate < 0.25 * composedNaive, $"composition error {composedEstimate / soft / 3:0.0} against {composedNaive / soft / 3:0.0}");
    }

    /// <summary>A reddish foreground that varies slowly over a bluish background, through a soft band of alpha (a ring and a ramp).</summary>
    private static (byte[] Frame, byte[] Alpha, byte[] Foreground) Composite(int width, int height)
    {
        var frame = new byte[width * height * 3];
        var alpha = new byte[width * height];
        var foreground = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int i = y * width + x;
                double d = Math.Sqrt(Math.Pow(x - width / 2.0, 2) + Math.Pow(y - height / 2.0, 2));
                double a = Math.Clamp((height * 0.35 - d) / 8 + 0.5, 0, 1);
                alpha[i] = (byte)Math.Round(a * 255);
                double aq = alpha[i] / 255.0;
                byte[] f = [(byte)(200 + 30 * x / width), (byte)(60 + 20 * y / height), 40];
                byte[] b = [20, (byte)(80 + 40 * x / width), (byte)(210 - 30 * y / height)];
                for (int c = 0; c < 3; c++)
                {
                    foreground[3 * i + c] = f[c];
                    frame[3 * i + c] = (byte)Math.Round(aq * f[c] + (1 - aq) * b[c]);
                }
            }
        return (frame, alpha, foreground);
    }
}
