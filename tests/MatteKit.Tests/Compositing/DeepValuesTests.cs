using MatteKit.Compositing;
using MatteKit.Media;
using Xunit;

namespace MatteKit.Tests.Compositing;

/// <summary>
/// The unrounded twins of the 8-bit steps, for deep outputs: the edge controls on floats agree with the byte ones
/// (and levels are exact), premultiplying, the deep composition, and the sRGB decoding table against its formula.
/// </summary>
public sealed class DeepValuesTests
{
    private const int W = 41, H = 37;

    [Theory]
    [InlineData(3, 0, 0, 1)]
    [InlineData(-2, 1.5, 0, 1)]
    [InlineData(0, 0, 0.1, 0.8)]
    [InlineData(2, 2, 0.05, 0.95)]
    public void EdgeControlsOnFloatsAgreeWithTheByteOnes(float choke, float feather, float low, float high)
    {
        var floats = new float[W * H];
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                floats[y * W + x] = (float)Math.Clamp((14 - Math.Sqrt((x - 20.3) * (x - 20.3) + (y - 17.6) * (y - 17.6))) / 4 + 0.5, 0, 1);
        var bytes = floats.Select(v => (byte)Math.Round(v * 255)).ToArray();
        new AlphaEdges(choke, feather, low, high).Apply(floats, W, H);
        new AlphaEdges(choke, feather, low, high).Apply(bytes, W, H);
        // The bytes are rounded before and after; each step can move a value by at most about a level more.
        double worst = floats.Zip(bytes, (f, b) => Math.Abs(f * 255 - b)).Max();
        Assert.True(worst <= 1.6, $"float and byte results differ by {worst:0.00} levels");
        Assert.All(floats, v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void LevelsAreExactOnAFloatRamp()
    {
        var ramp = Enumerable.Range(0, 1001).Select(i => i / 1000f).ToArray();
        new AlphaEdges(0, 0, 0.2f, 0.7f).Apply(ramp, ramp.Length, 1);
        for (int i = 0; i <= 1000; i++)
            Assert.Equal(Math.Clamp((i / 1000f - 0.2f) / (0.7f - 0.2f), 0f, 1f), ramp[i]);
    }

    [Fact]
    public void PremultiplyingMultipliesColourByAlpha()
    {
        byte[] rgba = [200, 100, 50, 128, 10, 20, 30, 255, 90, 80, 70, 0];
        Compositor.Premultiply(rgba);
        Assert.Equal(new byte[] { 100, 50, 25, 128, 10, 20, 30, 255, 0, 0, 0, 0 }, rgba);
        float[] deep = [0.8f, 0.4f, 0.2f, 0.5f];
        Compositor.Premultiply(deep);
        Assert.Equal(new[] { 0.4f, 0.2f, 0.1f, 0.5f }, deep);
    }

    [Fact]
    public void TheDeepCompositionIsTheByteOneUnrounded()
    {
        const int pixels = 300;
        var fg = new float[3 * pixels];
        var alpha = new float[pixels];
        var background = new byte[3 * pixels];
        for (int i = 0; i < pixels; i++)
        {
            alpha[i] = i / (pixels - 1f);
            for (int c = 0; c < 3; c++) (fg[3 * i + c], background[3 * i + c]) = (((i * 7 + c * 50) % 256) / 255f, (byte)((i * 13 + c * 90) % 256));
        }
        var deep = new float[3 * pixels];
        Compositor.OverDeep(fg, alpha, background, default, deep);
        var fgBytes = fg.Select(v => (byte)Math.Round(v * 255)).ToArray();
        var alphaBytes = alpha.Select(v => (byte)Math.Round(v * 255)).ToArray();
        var bytes = new byte[3 * pixels];
        Compositor.OverImage(fgBytes, alphaBytes, background, bytes);
        Assert.True(deep.Zip(bytes, (d, b) => Math.Abs(d * 255 - b)).Max() <= 1.0);
        var overColour = new float[3 * pixels];
        Compositor.OverDeep(fg, alpha, default, RgbColor.Green, overColour);
        Assert.Equal(fg[0] * alpha[0] + (1 - alpha[0]) * RgbColor.Green.R / 255f, overColour[0], 6);
        Assert.Equal(fg[^1], overColour[^1], 6); // alpha 1: the foreground itself
    }

    [Fact]
    public void TheSrgbTableIsTheFormulaWithinFarLessThanAHalfsPrecision()
    {
        double worst = 0;
        for (int i = 0; i <= 100_000; i++)
        {
            double v = i / 100_000.0;
            worst = Math.Max(worst, Math.Abs(SrgbTransfer.ToLinear((float)v) - SrgbTransfer.Decode((float)v)));
        }
        Assert.True(worst < 1e-7, $"table off the formula by {worst:g3}");
        Assert.Equal(0f, SrgbTransfer.ToLinear(0));
        Assert.Equal(1f, SrgbTransfer.ToLinear(1), 6);
    }
}
