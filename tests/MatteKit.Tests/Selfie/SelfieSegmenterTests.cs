using MatteKit.Media;
using MatteKit.Metrics;
using MatteKit.Selfie;
using MatteKit.Tests.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace MatteKit.Tests.Selfie;

/// <summary>The selfie segmenter end to end in the library: any frame size, temporal smoothing, reset, and bad arguments.</summary>
[Trait("Needs", "shared")]
public sealed class SelfieSegmenterTests
{
    private static readonly string Sample = Path.Combine(SharedData.RepoRoot, "samples", "astronaut.png");
    private readonly ITestOutputHelper _log;

    public SelfieSegmenterTests(ITestOutputHelper log) => _log = log;

    [Theory]
    [InlineData(nameof(SelfieModel.General), SelfieEdge.GuidedFilter)]
    [InlineData(nameof(SelfieModel.Landscape), SelfieEdge.Bilinear)]
    public void AnyFrameSizeGivesAMaskOfThatSize(string modelName, SelfieEdge edge)
    {
        var model = Enum.Parse<SelfieModel>(modelName); // by name: the enum is internal, a test's parameters public
        // An odd size that is neither the network's nor its aspect ratio: stretched in, mask back at the frame's size.
        var (rgb, w, h) = Scaled(333, 177);
        using var segmenter = SelfieSegmenter.Load(model, new SelfieOptions { Threads = 1, Edge = edge });
        var alpha = new byte[w * h];
        segmenter.Segment(rgb, w, h, alpha);
        double person = alpha.Count(v => v > 200) / (double)alpha.Length, background = alpha.Count(v => v < 50) / (double)alpha.Length;
        _log.WriteLine($"{model}, {edge}: person {person:P1}, background {background:P1}");
        Assert.InRange(person, 0.2, 0.9);
        Assert.InRange(background, 0.05, 0.8);
    }

    [Fact]
    public void SmoothingBlendsThePreviousFramesMaskAndResetDropsIt()
    {
        var (a, w, h) = Scaled(160, 120);
        var b = a.Reverse().ToArray(); // the same picture turned upside down and mirrored, colours swapped R<->B
        using var plain = SelfieSegmenter.Load(SelfieModel.General, new SelfieOptions { Threads = 1, Edge = SelfieEdge.Bilinear });
        using var smooth = SelfieSegmenter.Load(SelfieModel.General, new SelfieOptions { Threads = 1, Edge = SelfieEdge.Bilinear, Smoothing = 0.25f });
        byte[] alphaA = new byte[w * h], alphaB = new byte[w * h], first = new byte[w * h], blended = new byte[w * h], afterReset = new byte[w * h];
        plain.Segment(a, w, h, alphaA);
        plain.Segment(b, w, h, alphaB);
        smooth.Segment(a, w, h, first);
        smooth.Segment(b, w, h, blended);
        Assert.Equal(alphaA, first); // a first frame has nothing to blend with
        // The blend is made at network resolution and bilinear upsampling is linear, so it commutes with it: only
        // the rounding of each result to bytes separates the two.
        int worst = 0, changed = 0;
        for (int i = 0; i < alphaA.Length; i++)
        {
            double expected = 0.25 * alphaA[i] + 0.75 * alphaB[i];
            worst = Math.Max(worst, (int)Math.Ceiling(Math.Abs(blended[i] - expected) - 1e-9));
            if (blended[i] != alphaB[i]) changed++;
        }
        _log.WriteLine($"worst |blend - expected| {worst}, {changed} pixels moved by the blend");
        Assert.True(worst <= 1, $"blend off by {worst}");
        Assert.True(changed > alphaA.Length / 20, $"only {changed} pixels changed: frames too alike to show the blend");

        smooth.Reset();
        smooth.Segment(b, w, h, afterReset);
        Assert.Equal(alphaB, afterReset);
    }

    [SkippableFact]
    public void MaskOfTheSyntheticClipAgreesWithItsGroundTruth()
    {
        var clip = SharedData.Path("media", "synthetic", "hair_over_campus_512x288");
        SharedData.SkipIfMissing(clip);
        using var segmenter = SelfieSegmenter.Load(SelfieModel.Landscape, new SelfieOptions { Threads = 2 });
        double j = 0, f = 0;
        var frames = ImageSequence.ListPngFiles(Path.Combine(clip, "com")).Take(10).ToList();
        foreach (var file in frames)
        {
            var com = PngFile.ReadRgb(file);
            var truth = PngFile.ReadGray(Path.Combine(clip, "pha", Path.GetFileName(file)));
            var alpha = new byte[com.Width * com.Height];
            segmenter.Segment(com.Pixels, com.Width, com.Height, alpha);
            var p = alpha.Select(v => v >= 128).ToArray();
            var q = truth.Pixels.Select(v => v >= 128).ToArray();
            j += RegionSimilarity.Compute(p, q);
            f += ContourAccuracy.Compute(p, q, com.Width, com.Height);
        }
        j /= frames.Count;
        f /= frames.Count;
        _log.WriteLine($"landscape model on {frames.Count} frames: J {j:0.0000}, F {f:0.0000}");
        Assert.True(j > 0.85, $"J {j:0.000}");
        Assert.True(f > 0.6, $"F {f:0.000}");
    }

    [Fact]
    public void BadOptionsAndBuffersAreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SelfieSegmenter.Load(SelfieModel.General, new SelfieOptions { Smoothing = 0.95f }));
        Assert.Throws<ArgumentOutOfRangeException>(() => SelfieSegmenter.Load(SelfieModel.General, new SelfieOptions { Smoothing = float.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => SelfieSegmenter.Load(SelfieModel.General, new SelfieOptions { Threads = -1 }));
        using var segmenter = SelfieSegmenter.Load(SelfieModel.General, new SelfieOptions { Threads = 1 });
        Assert.Throws<ArgumentException>(() => segmenter.Segment(new byte[10 * 10 * 3], 10, 10, new byte[99]));
        Assert.Throws<ArgumentException>(() => segmenter.Segment(new byte[10 * 10 * 3 - 1], 10, 10, new byte[100]));
        Assert.Throws<ArgumentOutOfRangeException>(() => segmenter.Segment(ReadOnlySpan<byte>.Empty, 0, 10, Span<byte>.Empty));
    }

    /// <summary>The sample portrait, nearest-neighbour scaled to <paramref name="w"/> x <paramref name="h"/>.</summary>
    private static (byte[] Rgb, int W, int H) Scaled(int w, int h)
    {
        var image = PngFile.ReadRgb(Sample);
        var rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int sx = x * image.Width / w, sy = y * image.Height / h;
                for (int c = 0; c < 3; c++) rgb[3 * (y * w + x) + c] = image.Pixels[3 * (sy * image.Width + sx) + c];
            }
        return (rgb, w, h);
    }
}
