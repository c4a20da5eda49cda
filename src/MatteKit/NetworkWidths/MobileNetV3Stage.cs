namespace MatteKit.NetworkWidths;

/// <summary>One row of MobileNetV3-Large's layer table: widths, kernel, squeeze-excitation, activation, stride, dilation.</summary>
internal sealed record MobileNetV3Stage(int In, int Kernel, int Expanded, int Out, bool SqueezeExcite, bool HardSwish, int Stride, int Dilation)
{
    /// <summary>Width of the squeeze-excitation bottleneck: a quarter of the expanded width, made divisible by 8.</summary>
    public int SqueezeChannels => MakeDivisible(Expanded / 4, 8);

    /// <summary>Rounds to a multiple of <paramref name="divisor"/> without going below 90% of the value (MobileNet's rule).</summary>
    internal static int MakeDivisible(int value, int divisor)
    {
        int rounded = Math.Max(divisor, (value + divisor / 2) / divisor * divisor);
        return rounded < 0.9 * value ? rounded + divisor : rounded;
    }
}
