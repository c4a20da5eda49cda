namespace MatteKit.Tests.TestSupport;

/// <summary>Max and mean |actual - expected| over equal-length arrays; a NaN anywhere makes the max infinite.</summary>
public static class AbsDifference
{
    public static (double Max, double Mean) Of(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double max = 0, sum = 0;
        for (int k = 0; k < expected.Length; k++)
        {
            double d = Math.Abs(actual[k] - expected[k]);
            if (!(d <= max)) max = double.IsNaN(d) ? double.PositiveInfinity : d;
            sum += d;
        }
        return (max, sum / expected.Length);
    }
}
