using MatteKit.Training.Data;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MatteKit.Tests.Training;

/// <summary>
/// BGMv2's plate augmentations: the same seed draws the same numbers and tensors, each augmentation is applied about
/// as often as its probability says, every drawn number is within its bounds, and each changes only what it should
/// (the shadow only darkens the frame's background, by at most 0.3; the misalignment moves the plate by about 1%).
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class PlateAugmentationTests
{
    private const int Samples = 400, Width = 64, Height = 48;
    private readonly ITestOutputHelper _log;

    public PlateAugmentationTests(ITestOutputHelper log) => _log = log;

    [Fact]
    public void DeterministicUnderTheSeedAndWithinBounds()
    {
        using var scope = NewDisposeScope();
        var (fgr, pha, bgr) = Inputs();
        var first = new TrainingRandom(7);
        var second = new TrainingRandom(7);
        int shadows = 0, noises = 0, jitters = 0, misalignments = 0;
        double darkest = 0, misalignedMost = 0;
        for (int i = 0; i < Samples; i++)
        {
            using var sample = NewDisposeScope();
            // libtorch's global generator moved between the two: the augmentations draw only from the seeded stream.
            manual_seed(i);
            var (src, plate, drawn) = PlateAugmentation.Apply(first, fgr, pha, bgr);
            manual_seed(1000 + i);
            var (src2, plate2, drawn2) = PlateAugmentation.Apply(second, fgr, pha, bgr);
            Assert.Equal(drawn, drawn2);
            Assert.True(src.eq(src2).all().item<bool>() && plate.eq(plate2).all().item<bool>(), $"sample {i}: the same seed gave other tensors");
            Assert.InRange(src.min().item<float>(), 0f, 1f);
            Assert.InRange(src.max().item<float>(), 0f, 1f);
            Assert.InRange(plate.min().item<float>(), 0f, 1f);
            Assert.InRange(plate.max().item<float>(), 0f, 1f);

            if (drawn.Shadow is { } shadow)
            {
                shadows++;
                Assert.InRange(shadow, 0, PlateAugmentation.MaxShadow);
                Assert.True(drawn.ShadowBlur is { } blur && blur % 2 == 1
                    && blur >= PlateAugmentation.MinShadowBlur * Height && blur <= PlateAugmentation.MaxShadowBlur * Height + 2, $"blur {drawn.ShadowBlur}");
            }
            else Assert.Null(drawn.ShadowBlur);
            if (drawn.NoiseSigmas is { } sigmas)
            {
                noises++;
                Assert.InRange(sigmas.Frame, 0, PlateAugmentation.MaxNoiseSigma);
                Assert.InRange(sigmas.Plate, 0, PlateAugmentation.MaxNoiseSigma);
            }
            if (drawn.Jitter is { } jitter)
            {
                jitters++;
                foreach (var factor in new[] { jitter.Brightness, jitter.Contrast, jitter.Saturation })
                    Assert.InRange(factor, 1 - PlateAugmentation.JitterAmount, 1 + PlateAugmentation.JitterAmount);
                Assert.InRange(jitter.Hue, -PlateAugmentation.MaxHueShift, PlateAugmentation.MaxHueShift);
            }
            if (drawn.Misalignment is { } m)
            {
                misalignments++;
                Assert.InRange(m.Degrees, -PlateAugmentation.MaxMisalignDegrees, PlateAugmentation.MaxMisalignDegrees);
                Assert.InRange(m.Tx, -PlateAugmentation.MaxMisalignShift, PlateAugmentation.MaxMisalignShift);
                Assert.InRange(m.Ty, -PlateAugmentation.MaxMisalignShift, PlateAugmentation.MaxMisalignShift);
            }

            // The frame is the composite over the background, less the shadow; without noise exactly so.
            if (drawn.NoiseSigmas is null)
            {
                var composite = fgr * pha + bgr * (1 - pha);
                // Its depth in the background, read where the background shows enough for the division to be exact.
                var darker = where(pha.lt(0.9f), (composite - src).div(1 - pha), zeros_like(pha));
                Assert.True(src.le(composite + 1e-6f).all().item<bool>(), $"sample {i}: the shadow brightened the frame");
                double depth = darker.max().item<float>();
                Assert.True(depth <= PlateAugmentation.MaxShadow + 1e-4, $"sample {i}: shadow {depth}");
                if (drawn.Shadow is null) Assert.Equal(0, (composite - src).abs().max().item<float>(), 6);
                darkest = Math.Max(darkest, depth);
            }
            // The plate is the background itself unless jittered, noisy or misaligned; misaligned alone, it moves little.
            if (drawn.NoiseSigmas is null && drawn.Jitter is null)
            {
                double moved = (plate - bgr).abs().max().item<float>();
                if (drawn.Misalignment is null) Assert.Equal(0, moved, 6);
                else
                {
                    Assert.True(moved <= 0.03, $"sample {i}: the misaligned plate moved {moved} of a 0..1 ramp");
                    misalignedMost = Math.Max(misalignedMost, moved);
                }
            }
        }
        _log.WriteLine($"{Samples} samples: shadow {shadows} (p {PlateAugmentation.ShadowProbability}), noise {noises} (p {PlateAugmentation.NoiseProbability}), " +
                       $"plate jitter {jitters} (p {PlateAugmentation.JitterProbability}), misalignment {misalignments} (p {PlateAugmentation.MisalignProbability}); " +
                       $"darkest shadow {darkest:F3}, largest misaligned change {misalignedMost:F4}");
        AssertRate(shadows, PlateAugmentation.ShadowProbability);
        AssertRate(noises, PlateAugmentation.NoiseProbability);
        AssertRate(jitters, PlateAugmentation.JitterProbability);
        AssertRate(misalignments, PlateAugmentation.MisalignProbability);
        Assert.True(darkest > 0.05, "no shadow darkened the frame visibly");
    }

    // Within 4.5 standard deviations of the binomial count.
    private static void AssertRate(int count, double probability)
    {
        double mean = Samples * probability, spread = 4.5 * Math.Sqrt(Samples * probability * (1 - probability));
        Assert.InRange(count, mean - spread, mean + spread);
    }

    /// <summary>A red foreground, an ellipse of alpha in the middle, a background ramping 0 to 1 left to right.</summary>
    private static (Tensor Foreground, Tensor Alpha, Tensor Background) Inputs()
    {
        var fgr = zeros(1, 3, Height, Width);
        fgr[.., 0].fill_(0.9f);
        var ys = arange(Height, dtype: ScalarType.Float32).reshape(1, 1, Height, 1);
        var xs = arange(Width, dtype: ScalarType.Float32).reshape(1, 1, 1, Width);
        var inside = ((ys - Height / 2f) / (Height / 3f)).square() + ((xs - Width / 2f) / (Width / 5f)).square();
        var pha = (1.5f - inside).clamp(0, 1);
        var bgr = (xs / (Width - 1)).expand(1, 3, Height, Width).contiguous();
        return (fgr, pha, bgr);
    }
}
