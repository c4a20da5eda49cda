using MatteKit.Metrics;

namespace MatteKit.Tests.Metrics;

public class GradientErrorTests
{
    [Fact]
    public void Identical_mattes_score_zero()
    {
        var a = Enumerable.Range(0, 35).Select(i => (i * 37 % 11) / 10f).ToArray();
        Assert.Equal(0, GradientError.Compute(a, a, 7, 5));
    }

    [Fact]
    public void Constant_frames_score_zero_with_and_without_normalisation()
    {
        var low = Enumerable.Repeat(0.3f, 24).ToArray();
        var high = Enumerable.Repeat(0.7f, 24).ToArray();
        // normalised, both become 0 (OpenCV's rule for a constant image); unnormalised, g' sums to 0
        Assert.Equal(0, GradientError.Compute(low, high, 6, 4));
        Assert.Equal(0, GradientError.Compute(low, high, 6, 4, minMaxNormalize: false), 12);
        Assert.Equal(0, GradientError.Compute(new float[24], new float[24], 6, 4));
    }

    [Fact]
    public void Kernel_has_nine_taps_for_sigma_1_4()
    {
        // h = ceil(1.4 * sqrt(-2 ln(sqrt(2 pi) * 1.4 * 0.01))) = ceil(3.62) = 4
        var (g, dg) = GradientError.MakeKernels(1.4, 1e-2);
        Assert.Equal(9, g.Length);
        Assert.Equal(9, dg.Length);
        Assert.Equal(0, dg[4]);
        Assert.Equal(-dg[3], dg[5], 15);
        Assert.True(dg[5] < 0, "g'(x) = -x g(x) / sigma^2 is negative right of the centre");
    }

    [Fact]
    public void Gradient_of_a_ramp_is_its_slope_times_the_kernel_moments()
    {
        // I(x, y) = c x: away from the borders Kx * I = c * sum_j Kx[i, j] (j - 4) over i, and Ky * I = 0.
        const int w = 30, h = 12;
        const double c = 0.02;
        var ramp = new float[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) ramp[y * w + x] = (float)(c * x);
        double sigma = 1.4, norm = 0, moment = 0;
        var k = new double[9, 9];
        for (int i = 0; i < 9; i++)
        for (int j = 0; j < 9; j++)
        {
            double gi = Math.Exp(-(i - 4) * (i - 4) / (2 * sigma * sigma)) / (sigma * Math.Sqrt(2 * Math.PI));
            double gj = Math.Exp(-(j - 4) * (j - 4) / (2 * sigma * sigma)) / (sigma * Math.Sqrt(2 * Math.PI));
            k[i, j] = gi * (-(j - 4) * gj / (sigma * sigma));
            norm += k[i, j] * k[i, j];
        }
        for (int i = 0; i < 9; i++)
            for (int j = 0; j < 9; j++) moment += k[i, j] / Math.Sqrt(norm) * (j - 4);
        var magnitude = GradientError.GradientMagnitude(ramp, w, h, minMaxNormalize: false);
        Assert.Equal(Math.Abs(c * moment), magnitude[5 * w + 15], 6);
    }

    [Fact]
    public void Matches_the_official_definition_on_a_fixture()
    {
        // Numbers from evaluate_lr.py's MetricGRAD run with OpenCV 4.6.0 / NumPy 1.24.2 on these 12x10 mattes.
        var (pred, truth) = OfficialFixture.Load();
        Assert.Equal(0.05176782227, GradientError.Compute(pred, truth, OfficialFixture.Width, OfficialFixture.Height), 6);
    }

    [Fact]
    public void Min_max_normalisation_is_what_tells_lr_from_hr()
    {
        // A matte spanning [0, 0.5] against the same matte spanning [0, 1]: equal after normalisation only.
        var full = new float[40];
        for (int i = 0; i < 40; i++) full[i] = i % 8 < 4 ? 0 : 1;
        var half = full.Select(v => v / 2).ToArray();
        Assert.Equal(0, GradientError.Compute(half, full, 8, 5), 12);
        Assert.True(GradientError.Compute(half, full, 8, 5, minMaxNormalize: false) > 1e-3);
    }
}
