using MatteKit.Inference;
using MatteKit.Tests.TestSupport;
using MatteKit.Weights;
using Xunit.Abstractions;

namespace MatteKit.Tests.Inference;

/// <summary>
/// T frames per network call (the ConvGRUs stepping through them inside the graph) against one frame per call:
/// same alpha, foreground and recurrent states, to float rounding, also across a shorter last chunk.
/// </summary>
public sealed class ChunkedProcessingTests
{
    private const double Tolerance = 1e-5;

    private readonly ITestOutputHelper _log;

    public ChunkedProcessingTests(ITestOutputHelper log) => _log = log;

    [Theory]
    [InlineData(0.5, 4, 7)]   // fast guided filter; chunks of 4 and 3
    [InlineData(1.0, 4, 6)]   // no refiner; chunks of 4 and 2
    [InlineData(0.375, 2, 5)] // odd network size (60x36); chunks of 2, 2, 1
    public void ChunksEqualFrameByFrameWithTheDefaultModel(double ratio, int chunk, int frames)
        => CompareChunkedWithSingle(TestWeights.Default, "default (MobileNetV3, fast guided filter)", 160, 96, ratio, chunk, frames);

    [Fact]
    public void ChunksEqualFrameByFrameWithTheDeepGuidedFilter()
        => CompareChunkedWithSingle(SyntheticRvmWeights.ModelA(TestWeights.Default), "MobileNetV3 + deep guided filter (synthetic head)",
            96, 64, 0.5, 4, 5);

    [Fact]
    public void ChunksEqualFrameByFrameWithResNet50()
        => CompareChunkedWithSingle(SyntheticRvmWeights.ModelB, "ResNet50 + deep guided filter (synthetic)", 64, 48, 0.5, 3, 4);

    [Fact]
    public void ChunkOfWrongLengthIsAClearError()
    {
        using var matter = VideoMatter.Load(TestWeights.Default, new MatterOptions { Threads = 2 });
        var ex = Assert.Throws<ArgumentException>(() => matter.ProcessChunk(new byte[2 * 8 * 8 * 3 - 1], 2, 8, 8, 1.0));
        Assert.Contains("2 frames of 8x8", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => matter.ProcessChunk(Array.Empty<byte>(), 0, 8, 8, 1.0));
    }

    private void CompareChunkedWithSingle(WeightSet weights, string model, int w, int h, double ratio, int chunk, int frames)
    {
        var input = Enumerable.Range(0, frames).Select(i => SyntheticFrames.Rgb24(w, h, i)).ToArray();
        using var single = VideoMatter.Load(weights, new MatterOptions { Threads = 2 });
        using var chunked = VideoMatter.Load(weights, new MatterOptions { Threads = 2 });

        var alphaSingle = new List<float[]>();
        var foregroundSingle = new List<float[]>();
        foreach (var frame in input)
        {
            var r = single.Process(frame, w, h, ratio);
            alphaSingle.Add(r.Alpha.ToArray());
            foregroundSingle.Add(r.Foreground.ToArray());
        }

        double alphaMax = 0, foregroundMax = 0, alphaSum = 0;
        int frameSize = w * h * 3;
        for (int start = 0; start < frames; start += chunk)
        {
            int t = Math.Min(chunk, frames - start);
            var bytes = new byte[t * frameSize];
            for (int i = 0; i < t; i++) input[start + i].CopyTo(bytes, i * frameSize);
            var result = chunked.ProcessChunk(bytes, t, w, h, ratio);
            Assert.Equal(t, result.Frames);
            for (int i = 0; i < t; i++)
            {
                var frame = result.Frame(i);
                var (aMax, aSum) = Difference(alphaSingle[start + i], frame.Alpha);
                alphaMax = Math.Max(alphaMax, aMax);
                alphaSum += aSum;
                foregroundMax = Math.Max(foregroundMax, Difference(foregroundSingle[start + i], frame.Foreground).Max);
            }
        }
        var stateMax = new double[4];
        for (int s = 0; s < 4; s++) stateMax[s] = Difference(single.RecurrentState(s).ToArray(), chunked.RecurrentState(s)).Max;

        _log.WriteLine($"{model}, {w}x{h} at ratio {ratio}, {frames} frames in chunks of {chunk} vs one per call: " +
                       $"alpha max {alphaMax:E2} mean {alphaSum / (frames * w * h):E2}, fgr max {foregroundMax:E2}, " +
                       $"states r1..r4 max {string.Join(" ", stateMax.Select(d => d.ToString("E2")))}");
        Assert.True(alphaMax <= Tolerance, $"alpha differs by {alphaMax:E2}");
        Assert.True(foregroundMax <= Tolerance, $"foreground differs by {foregroundMax:E2}");
        for (int s = 0; s < 4; s++) Assert.True(stateMax[s] <= Tolerance, $"r{s + 1} differs by {stateMax[s]:E2}");

        // The state really carries across chunks: a fresh matter on the last chunk alone gives another alpha.
        using var fresh = VideoMatter.Load(weights, new MatterOptions { Threads = 2 });
        var last = fresh.Process(input[^1], w, h, ratio).Alpha.ToArray();
        Assert.True(Difference(alphaSingle[^1], last).Max > 1e-4, "the recurrent state made no difference; the comparison proves nothing");
    }

    private static (double Max, double Sum) Difference(float[] expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double max = 0, sum = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double d = Math.Abs(expected[i] - actual[i]);
            max = Math.Max(max, d);
            sum += d;
        }
        return (max, sum);
    }
}
