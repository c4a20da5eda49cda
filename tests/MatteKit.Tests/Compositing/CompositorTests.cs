using MatteKit.Compositing;

namespace MatteKit.Tests.Compositing;

/// <summary>The vectorised blend gives exactly <c>(f * a + b * (255 - a) + 127) / 255</c> for every byte.</summary>
public sealed class CompositorTests
{
    private static byte Expected(int f, int b, int a) => (byte)((f * a + b * (255 - a) + 127) / 255);

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(1000)]
    public void OverColorAndOverImageMatchTheFormulaEverywhere(int pixels)
    {
        var rnd = new Random(pixels);
        var fg = new byte[3 * pixels];
        var alpha = new byte[pixels];
        var bg = new byte[3 * pixels];
        rnd.NextBytes(fg);
        rnd.NextBytes(alpha);
        rnd.NextBytes(bg);
        // The extremes in every lane of a block: transparent, opaque, and black/white on both sides.
        for (int i = 0; i < pixels; i++)
            if (i % 5 == 0) alpha[i] = (byte)(i % 10 == 0 ? 0 : 255);
        if (pixels >= 16) (fg[0], bg[0], fg[1], bg[1]) = (255, 255, 0, 0);
        var colour = new RgbColor(120, 255, 7);
        var overColor = new byte[3 * pixels];
        var overImage = new byte[3 * pixels];
        Compositor.OverColor(fg, alpha, colour, overColor);
        Compositor.OverImage(fg, alpha, bg, overImage);
        for (int i = 0; i < pixels; i++)
            for (int c = 0; c < 3; c++)
            {
                byte background = c == 0 ? colour.R : c == 1 ? colour.G : colour.B;
                Assert.Equal(Expected(fg[3 * i + c], background, alpha[i]), overColor[3 * i + c]);
                Assert.Equal(Expected(fg[3 * i + c], bg[3 * i + c], alpha[i]), overImage[3 * i + c]);
            }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(37)]
    [InlineData(1000)]
    public void ToRgbaPutsAlphaBesideTheColour(int pixels)
    {
        var rnd = new Random(pixels);
        var fg = new byte[3 * pixels];
        var alpha = new byte[pixels];
        rnd.NextBytes(fg);
        rnd.NextBytes(alpha);
        var rgba = new byte[4 * pixels];
        Compositor.ToRgba(fg, alpha, rgba);
        for (int i = 0; i < pixels; i++)
        {
            for (int c = 0; c < 3; c++) Assert.Equal(fg[3 * i + c], rgba[4 * i + c]);
            Assert.Equal(alpha[i], rgba[4 * i + 3]);
        }
    }

    [Fact]
    public void EveryForegroundBackgroundAndAlphaCombinationIsExact()
    {
        // 256 x 256 x 256 values of (f, b, a), 16 alphas per block: all of the blend's inputs.
        var fg = new byte[3 * 65536];
        var bg = new byte[3 * 65536];
        var alpha = new byte[65536];
        var result = new byte[3 * 65536];
        for (int b = 0; b < 256; b++)
        {
            for (int i = 0; i < 65536; i++)
            {
                int f = i >> 8, a = i & 255;
                alpha[i] = (byte)a;
                for (int c = 0; c < 3; c++) (fg[3 * i + c], bg[3 * i + c]) = ((byte)f, (byte)b);
            }
            Compositor.OverImage(fg, alpha, bg, result);
            for (int i = 0; i < 65536; i++)
                if (result[3 * i] != Expected(i >> 8, b, i & 255))
                    Assert.Fail($"f {i >> 8}, b {b}, a {i & 255}: {result[3 * i]}, expected {Expected(i >> 8, b, i & 255)}");
        }
    }
}
