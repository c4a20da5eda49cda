using MatteKit.Metrics;

namespace MatteKit.Tests.Metrics;

/// <summary>MAD, MSE, dtSSD and the foreground errors on values small enough to check by hand.</summary>
public class AlphaErrorTests
{
    [Fact]
    public void Mad_and_mse_of_a_four_pixel_frame()
    {
        float[] pred = [0, 0.5f, 1, 1], truth = [0, 0, 0, 1];
        // |d| = 0, .5, 1, 0 -> mean .375; d^2 = 0, .25, 1, 0 -> mean .3125; both x1e3
        Assert.Equal(375, MeanAbsoluteDifference.Compute(pred, truth), 9);
        Assert.Equal(312.5, MeanSquaredError.Compute(pred, truth), 9);
    }

    [Fact]
    public void All_zero_alpha_against_all_zero_and_all_one()
    {
        var zero = new float[6];
        var one = Enumerable.Repeat(1f, 6).ToArray();
        Assert.Equal(0, MeanAbsoluteDifference.Compute(zero, zero));
        Assert.Equal(0, MeanSquaredError.Compute(zero, zero));
        Assert.Equal(1000, MeanAbsoluteDifference.Compute(zero, one), 9);
        Assert.Equal(1000, MeanSquaredError.Compute(zero, one), 9);
    }

    [Fact]
    public void Mismatched_or_empty_frames_are_refused()
    {
        Assert.Throws<ArgumentException>(() => MeanAbsoluteDifference.Compute(new float[3], new float[4]));
        Assert.Throws<ArgumentException>(() => MeanSquaredError.Compute(ReadOnlySpan<float>.Empty, ReadOnlySpan<float>.Empty));
    }

    [Fact]
    public void Dtssd_counts_only_change_beyond_the_true_change()
    {
        float[] truthPrev = [0, 0.5f], truth = [0, 0.5f];
        float[] predPrev = [0.1f, 0.5f], pred = [0.3f, 0.5f];
        // (pred_t - pred_t-1) - (true_t - true_t-1) = (0.2, 0): sqrt(0.04 / 2) * 100 = 14.142...
        Assert.Equal(100 * Math.Sqrt(0.02), TemporalCoherence.Compute(pred, predPrev, truth, truthPrev), 5);
    }

    [Fact]
    public void Dtssd_is_zero_for_constant_frames_and_for_a_prediction_that_moves_with_the_truth()
    {
        float[] constant = [0.2f, 0.7f, 1];
        Assert.Equal(0, TemporalCoherence.Compute(constant, constant, constant, constant));
        float[] truthPrev = [0, 0.25f, 0.5f], truth = [0.25f, 0.5f, 0.75f];
        float[] predPrev = [0.125f, 0.375f, 0.625f], pred = [0.375f, 0.625f, 0.875f];   // truth + 0.125, exact in binary
        Assert.Equal(0, TemporalCoherence.Compute(pred, predPrev, truth, truthPrev));
    }

    [Fact]
    public void Foreground_error_counts_only_pixels_whose_true_alpha_is_above_zero()
    {
        float[] alpha = [0, 0.5f];
        float[] pred = [1, 1, 1, 0.2f, 0.4f, 0.6f], truth = [0, 0, 0, 0.2f, 0.2f, 0.2f];
        var (mse, mad) = ForegroundError.Compute(pred, truth, alpha);
        // pixel 0 is ignored; pixel 1: d = 0, .2, .4 -> MSE (0 + .04 + .16) / 3, MAD .6 / 3, x1e3
        Assert.Equal(200.0 / 3, mse, 4);
        Assert.Equal(200, mad, 4);
    }

    [Fact]
    public void Foreground_error_with_all_zero_true_alpha_is_not_a_number()
    {
        var (mse, mad) = ForegroundError.Compute(new float[6], new float[6], new float[2]);
        Assert.True(double.IsNaN(mse));
        Assert.True(double.IsNaN(mad));
    }
}
