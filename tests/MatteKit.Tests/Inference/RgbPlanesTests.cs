using MatteKit.Inference;

namespace MatteKit.Tests.Inference;

public sealed class RgbPlanesTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(33)]
    [InlineData(1000)]
    public void SplitsInterleavedRgbIntoPlanes(int pixels)
    {
        var rgb = new byte[3 * pixels];
        new Random(pixels).NextBytes(rgb);
        var planes = new byte[3 * pixels];
        RgbPlanes.Split(rgb, planes);
        for (int i = 0; i < pixels; i++)
            for (int c = 0; c < 3; c++)
                Assert.Equal(rgb[3 * i + c], planes[c * pixels + i]);
    }
}
