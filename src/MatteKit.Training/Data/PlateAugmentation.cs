using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MatteKit.Training.Data;

/// <summary>
/// How BGMv2's frame and plate are made from one augmented background, with the differences the official
/// <c>train_base.py</c> / <c>train_refine.py</c> put between them so the network tolerates a real plate: a shadow
/// cast by the subject on the frame's background (0.3), noise of the frame and of the plate, each its own (0.4),
/// colour jitter of the plate (0.8) and a small affine misalignment of the plate (0.3). Tensors <c>[1, C, H, W]</c>
/// in 0..1; the numbers drawn are returned for the tests.
/// </summary>
internal static class PlateAugmentation
{
    public const double ShadowProbability = 0.3, NoiseProbability = 0.4, JitterProbability = 0.8, MisalignProbability = 0.3;

    /// <summary>The shadow's darkest: 0.3 of the alpha (times a uniform 0..1 per sample).</summary>
    public const double MaxShadow = 0.3;

    /// <summary>Noise sigma 0 to 0.03, drawn for frame and plate each.</summary>
    public const double MaxNoiseSigma = 0.03;

    /// <summary>Plate jitter: brightness, contrast and saturation factors 0.82 to 1.18, hue +-0.1 turn.</summary>
    public const double JitterAmount = 0.18, MaxHueShift = 0.1;

    /// <summary>Plate misalignment: rotation +-1 degree, translation +-1% of the side (in normalised units, +-0.02).</summary>
    public const double MaxMisalignDegrees = 1, MaxMisalignShift = 0.02;

    /// <summary>
    /// The shadow's box blur: a side of 4% to 8% of the frame's shorter side (the official 20 to 40 pixels at its
    /// 512-pixel base crops), rounded to the odd number at or up to 2 above it.
    /// </summary>
    public const double MinShadowBlur = 0.04, MaxShadowBlur = 0.08;

    /// <summary>What was drawn for one sample (null: not applied).</summary>
    public sealed record Drawn(double? Shadow, int? ShadowBlur, (double Frame, double Plate)? NoiseSigmas,
        (double Brightness, double Contrast, double Saturation, double Hue)? Jitter, (double Degrees, double Tx, double Ty)? Misalignment);

    /// <summary>
    /// The frame (<paramref name="foreground"/> over the background, shadowed) and the plate (the background), both
    /// augmented as the class says.
    /// </summary>
    public static (Tensor Source, Tensor Plate, Drawn Drawn) Apply(TrainingRandom rng, Tensor foreground, Tensor alpha, Tensor background)
    {
        var behind = background;
        double? shadow = null;
        int? blur = null;
        if (rng.Chance(ShadowProbability))
        {
            shadow = rng.Uniform(0, MaxShadow);
            // The subject's alpha, moved and scaled as a shadow falls (rotation +-5 deg, translation +-20%, scale 0.5
            // to 1.5, shear +-5 deg) and softened.
            var pose = new Augmentation.Pose(rng.Uniform(-5, 5), rng.Uniform(-0.4, 0.4), rng.Uniform(-0.4, 0.4), rng.Uniform(0.5, 1.5), rng.Uniform(-5, 5));
            long side = Math.Min(alpha.shape[2], alpha.shape[3]);
            blur = 2 * (int)Math.Round(side * rng.Uniform(MinShadowBlur, MaxShadowBlur) / 2) + 1;
            var cast = Augmentation.Warp(alpha * shadow.Value, pose, GridSamplePaddingMode.Zeros);
            cast = functional.avg_pool2d(cast, blur.Value, stride: 1, padding: blur.Value / 2, count_include_pad: true);
            behind = (background - cast).clamp(0, 1);
        }
        var source = foreground * alpha + behind * (1 - alpha);
        var plate = background;
        (double, double)? sigmas = null;
        if (rng.Chance(NoiseProbability))
        {
            double frameSigma = rng.Uniform(0, MaxNoiseSigma), plateSigma = rng.Uniform(0, MaxNoiseSigma);
            sigmas = (frameSigma, plateSigma);
            source = Augmentation.AddNoise(rng, source, frameSigma);
            plate = Augmentation.AddNoise(rng, plate, plateSigma);
        }
        (double, double, double, double)? jitter = null;
        if (rng.Chance(JitterProbability))
        {
            jitter = (rng.Uniform(1 - JitterAmount, 1 + JitterAmount), rng.Uniform(1 - JitterAmount, 1 + JitterAmount),
                rng.Uniform(1 - JitterAmount, 1 + JitterAmount), rng.Uniform(-MaxHueShift, MaxHueShift));
            var (b, c, s, h) = jitter.Value;
            plate = Augmentation.Jitter(plate, b, c, s, h);
        }
        (double, double, double)? misalignment = null;
        if (rng.Chance(MisalignProbability))
        {
            misalignment = (rng.Uniform(-MaxMisalignDegrees, MaxMisalignDegrees), rng.Uniform(-MaxMisalignShift, MaxMisalignShift), rng.Uniform(-MaxMisalignShift, MaxMisalignShift));
            var (degrees, tx, ty) = misalignment.Value;
            // Reflected at the borders: the plate shows the scene there, not black.
            plate = Augmentation.Warp(plate, new Augmentation.Pose(degrees, tx, ty, 1, 0), GridSamplePaddingMode.Reflection);
        }
        return (source, plate, new Drawn(shadow, blur, sigmas, jitter, misalignment));
    }
}
