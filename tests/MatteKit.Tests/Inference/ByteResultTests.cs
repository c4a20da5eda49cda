using MatteKit.Inference;
using MatteKit.Tests.TestSupport;
using MatteKit.Weights;
using Xunit.Abstractions;

namespace MatteKit.Tests.Inference;

/// <summary>
/// The converter takes foreground and alpha as bytes made inside the network (quantised there). They must be the
/// float results rounded to bytes, frame for frame, with the recurrent state carried the same way.
/// </summary>
public sealed class ByteResultTests
{
    private readonly ITestOutputHelper _log;

    public ByteResultTests(ITestOutputHelper log) => _log = log;

    [Theory]
    [InlineData(0.5, 1)]   // fast guided filter
    [InlineData(0.375, 2)] // odd network size, two frames per call
    [InlineData(1.0, 1)]   // no refiner
    public void BytesAreTheFloatResultsRoundedWithTheDefaultModel(double ratio, int chunk)
        => CompareBytesWithFloats(TestWeights.Default, 160, 96, ratio, chunk, 4);

    [Fact]
    public void BytesAreTheFloatResultsRoundedWithTheDeepGuidedFilter()
        => CompareBytesWithFloats(SyntheticRvmWeights.ModelA(TestWeights.Default), 96, 64, 0.5, 1, 3);

    private void CompareBytesWithFloats(WeightSet weights, int w, int h, double ratio, int chunk, int frames)
    {
        var input = Enumerable.Range(0, frames).Select(i => SyntheticFrames.Rgb24(w, h, i)).ToArray();
        using var floats = VideoMatter.Load(weights, new MatterOptions { Threads = 2 });
        using var bytes = VideoMatter.Load(weights, new MatterOptions { Threads = 2 });
        int pixels = w * h, off = 0, compared = 0, largest = 0, alphaLevels = 0;
        var expectedAlpha = new byte[pixels];
        var expectedForeground = new byte[3 * pixels];
        for (int start = 0; start < frames; start += chunk)
        {
            int t = Math.Min(chunk, frames - start);
            var chunkBytes = input.Skip(start).Take(t).SelectMany(f => f).ToArray();
            var result = bytes.ProcessChunkToBytes(chunkBytes, t, w, h, ratio);
            Assert.Equal(t * pixels, result.AlphaGray8.Length);
            Assert.Equal(3 * t * pixels, result.ForegroundRgb24.Length);
            for (int i = 0; i < t; i++)
            {
                var expected = floats.Process(input[start + i], w, h, ratio);
                expected.AlphaToGray8(expectedAlpha);
                expected.ForegroundToRgb24(expectedForeground);
                var alpha = result.AlphaGray8.Slice(i * pixels, pixels);
                var foreground = result.ForegroundRgb24.Slice(i * 3 * pixels, 3 * pixels);
                for (int p = 0; p < pixels; p++) Count(expectedAlpha[p], alpha[p]);
                for (int p = 0; p < 3 * pixels; p++) Count(expectedForeground[p], foreground[p]);
                alphaLevels = Math.Max(alphaLevels, alpha.ToArray().Distinct().Count());
            }
        }
        _log.WriteLine($"{w}x{h} at {ratio}, {chunk} per call: {off} of {compared} bytes differ from the rounded floats, largest by {largest}");
        // Both round half to even; the network divides by 1/255 where the floats are multiplied by 255, so a value
        // within an ulp of a half may round the other way.
        Assert.True(largest <= 1, $"a byte differs by {largest}");
        Assert.True(off <= compared / 1000, $"{off} of {compared} bytes differ");
        Assert.True(alphaLevels > 10, "alpha is nearly flat; the comparison proves little");

        void Count(byte e, byte a)
        {
            compared++;
            if (e == a) return;
            off++;
            largest = Math.Max(largest, Math.Abs(e - a));
        }
    }
}
