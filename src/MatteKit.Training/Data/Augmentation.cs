using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MatteKit.Training.Data;

/// <summary>
/// The official augmentation (RVM's <c>augmentation.py</c> and <c>train.py</c>), on <c>[T, C, H, W]</c> tensors in
/// 0..1, with the probabilities docs/training.md lists. Layers that belong together (foreground and alpha) take the same
/// geometric transform; foreground and background take their own.
/// </summary>
internal static class Augmentation
{
    public const double MotionProbability = 0.3, FlipProbability = 0.5, JitterProbability = 0.3, GrayscaleProbability = 0.02,
        SharpnessProbability = 0.1, BlurProbability = 0.02, NoiseProbability = 0.1, PauseProbability = 0.03;

    /// <summary>
    /// Random resized crop to <paramref name="width"/> x <paramref name="height"/>: a window of 30% to 100% of the
    /// largest one of the output's aspect (aspect jittered 0.9x to 1.1x), anywhere in the frame, resized bilinearly.
    /// </summary>
    public static Tensor[] ResizedCrop(TrainingRandom rng, Tensor[] layers, int width, int height, double minScale = 0.3)
    {
        long h = layers[0].shape[2], w = layers[0].shape[3];
        double aspect = (double)width / height * rng.Uniform(0.9, 1.1);
        double fullW = Math.Min(w, h * aspect), scale = Math.Sqrt(rng.Uniform(minScale, 1));
        int cropW = Math.Max(1, (int)Math.Round(fullW * scale)), cropH = Math.Max(1, Math.Min((int)h, (int)Math.Round(fullW * scale / aspect)));
        int x0 = rng.Next((int)w - cropW + 1), y0 = rng.Next((int)h - cropH + 1);
        return layers.Select(l => Resize(l[.., .., y0..(y0 + cropH), x0..(x0 + cropW)], height, width)).ToArray();
    }

    /// <summary>
    /// A static random affine (rotation +-5 deg, translation +-10%, scale 0.8 to 1.1, shear +-5 deg), and with
    /// probability 0.3 motion: eased (smoothstep) from that pose to a second random one over the T frames.
    /// </summary>
    public static Tensor[] Motion(TrainingRandom rng, Tensor[] layers, GridSamplePaddingMode padding)
    {
        var start = Pose.Random(rng);
        var end = rng.Chance(MotionProbability) ? Pose.Random(rng) : start;
        long frames = layers[0].shape[0];
        var thetas = new float[frames * 6];
        for (long t = 0; t < frames; t++)
        {
            double u = frames == 1 ? 0 : (double)t / (frames - 1), e = u * u * (3 - 2 * u);
            Pose.Lerp(start, end, e).Matrix().CopyTo(thetas, t * 6);
        }
        var theta = tensor(thetas).reshape(frames, 2, 3);
        var grid = functional.affine_grid(theta, new[] { frames, 1, layers[0].shape[2], layers[0].shape[3] }, align_corners: false);
        return layers.Select(l => functional.grid_sample(l, grid, GridSampleMode.Bilinear, padding, align_corners: false)).ToArray();
    }

    public static Tensor[] MaybeFlip(TrainingRandom rng, Tensor[] layers) =>
        rng.Chance(FlipProbability) ? layers.Select(l => l.flip(3)).ToArray() : layers;

    /// <summary>Colour jitter (brightness, contrast, saturation +-15%, hue +-0.05 turn) with probability 0.3, grayscale 0.02.</summary>
    public static Tensor Colour(TrainingRandom rng, Tensor rgb)
    {
        if (rng.Chance(JitterProbability))
            rgb = Jitter(rgb, rng.Uniform(0.85, 1.15), rng.Uniform(0.85, 1.15), rng.Uniform(0.85, 1.15), rng.Uniform(-0.05, 0.05));
        if (rng.Chance(GrayscaleProbability)) rgb = Gray(rgb).expand(-1, 3, -1, -1);
        return rgb;
    }

    /// <summary>
    /// Brightness (a factor), contrast and saturation (factors about the grey mean and the grey of each pixel) and a
    /// hue rotation of <paramref name="hue"/> turns, in that order, clamped to 0..1.
    /// </summary>
    public static Tensor Jitter(Tensor rgb, double brightness, double contrast, double saturation, double hue)
    {
        rgb = rgb * brightness;
        var mean = Gray(rgb).mean(new long[] { 1, 2, 3 }, keepdim: true);
        rgb = (rgb - mean) * contrast + mean;
        var gray = Gray(rgb);
        rgb = (rgb - gray) * saturation + gray;
        rgb = Hue(rgb, hue);
        return rgb.clamp(0, 1);
    }

    /// <summary>Sharpness (blend with a 3x3 blur, factor 0.1 to 2; 0.1) and Gaussian blur (sigma 0.1 to 1.5; 0.02), the same on every layer.</summary>
    public static Tensor[] Detail(TrainingRandom rng, Tensor[] layers)
    {
        if (rng.Chance(SharpnessProbability))
        {
            double factor = rng.Uniform(0.1, 2);
            layers = layers.Select(l => (Blur(l, 0.8) + (l - Blur(l, 0.8)) * factor).clamp(0, 1)).ToArray();
        }
        if (rng.Chance(BlurProbability))
        {
            double sigma = rng.Uniform(0.1, 1.5);
            layers = layers.Select(l => Blur(l, sigma)).ToArray();
        }
        return layers;
    }

    /// <summary>Grain: Gaussian noise of sigma 0 to 0.03 with probability 0.1 (its own libtorch seed from the stream).</summary>
    public static Tensor Noise(TrainingRandom rng, Tensor rgb)
    {
        if (!rng.Chance(NoiseProbability)) return rgb;
        return AddNoise(rng, rgb, rng.Uniform(0, 0.03));
    }

    /// <summary>Gaussian noise of <paramref name="sigma"/> (its own libtorch seed from the stream), clamped to 0..1.</summary>
    public static Tensor AddNoise(TrainingRandom rng, Tensor rgb, double sigma)
    {
        using var generator = new Generator((ulong)rng.NextSeed());
        return (rgb + randn(rgb.shape, generator: generator) * sigma).clamp(0, 1);
    }

    /// <summary>Each frame of <c>[T, C, H, W]</c> resampled bilinearly by one affine pose (the sampling transform).</summary>
    public static Tensor Warp(Tensor x, Pose pose, GridSamplePaddingMode padding)
    {
        long frames = x.shape[0];
        var theta = tensor(pose.Matrix()).reshape(1, 2, 3).expand(frames, 2, 3);
        var grid = functional.affine_grid(theta, new[] { frames, 1, x.shape[2], x.shape[3] }, align_corners: false);
        return functional.grid_sample(x, grid, GridSampleMode.Bilinear, padding, align_corners: false);
    }

    /// <summary>With probability 0.03 the sequence pauses: from a random frame on, one frame held for a random length.</summary>
    public static Tensor[] Pause(TrainingRandom rng, Tensor[] layers)
    {
        long frames = layers[0].shape[0];
        if (frames < 2 || !rng.Chance(PauseProbability)) return layers;
        int at = rng.Next((int)frames - 1), length = 1 + rng.Next((int)frames - at - 1);
        var indices = Enumerable.Range(0, (int)frames).Select(i => (long)(i > at && i <= at + length ? at : i)).ToArray();
        var index = tensor(indices);
        return layers.Select(l => l.index_select(0, index)).ToArray();
    }

    /// <summary>
    /// train.py's random crop of a batch <c>[B, T, C, H, W]</c>: a random size (half to all of each side), the frames
    /// resized to a square of its longer side and centre-cropped to it.
    /// </summary>
    public static Tensor[] TrainCrop(TrainingRandom rng, Tensor[] batches)
    {
        long h = batches[0].shape[3], w = batches[0].shape[4];
        int cropW = (int)(w / 2) + rng.Next((int)(w - w / 2)), cropH = (int)(h / 2) + rng.Next((int)(h - h / 2));
        int side = Math.Max(cropW, cropH);
        return batches.Select(b =>
        {
            var x = Resize(b.flatten(0, 1), side, side);
            int top = (side - cropH) / 2, left = (side - cropW) / 2;
            x = x[.., .., top..(top + cropH), left..(left + cropW)];
            return x.unflatten(0, new[] { b.shape[0], b.shape[1] });
        }).ToArray();
    }

    public static Tensor Resize(Tensor x, long height, long width) =>
        x.shape[2] == height && x.shape[3] == width ? x
            : functional.interpolate(x, new[] { height, width }, mode: InterpolationMode.Bilinear, align_corners: false);

    private static Tensor Gray(Tensor rgb)
    {
        var c = rgb.unbind(1);
        return (c[0] * 0.299 + c[1] * 0.587 + c[2] * 0.114).unsqueeze(1);
    }

    // Hue rotation about the grey axis (YIQ): a turn of `shift` (fractions of 360 degrees).
    private static Tensor Hue(Tensor rgb, double shift)
    {
        double a = shift * 2 * Math.PI, cos = Math.Cos(a), sin = Math.Sin(a);
        double[,] toYiq = { { 0.299, 0.587, 0.114 }, { 0.596, -0.274, -0.322 }, { 0.211, -0.523, 0.312 } };
        double[,] toRgb = { { 1, 0.956, 0.621 }, { 1, -0.272, -0.647 }, { 1, -1.106, 1.703 } };
        double[,] rotate = { { 1, 0, 0 }, { 0, cos, -sin }, { 0, sin, cos } };
        var m = Multiply(toRgb, Multiply(rotate, toYiq));
        var matrix = tensor(new float[] { (float)m[0, 0], (float)m[0, 1], (float)m[0, 2], (float)m[1, 0], (float)m[1, 1], (float)m[1, 2], (float)m[2, 0], (float)m[2, 1], (float)m[2, 2] }).reshape(3, 3, 1, 1);
        return functional.conv2d(rgb, matrix);
    }

    private static double[,] Multiply(double[,] a, double[,] b)
    {
        var r = new double[3, 3];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 3; k++) r[i, j] += a[i, k] * b[k, j];
        return r;
    }

    private static Tensor Blur(Tensor x, double sigma)
    {
        int radius = Math.Max(1, (int)Math.Ceiling(2 * sigma));
        var weights = Enumerable.Range(-radius, 2 * radius + 1).Select(i => Math.Exp(-i * i / (2 * sigma * sigma))).ToArray();
        double sum = weights.Sum();
        var k = tensor(weights.Select(v => (float)(v / sum)).ToArray());
        long channels = x.shape[1];
        var kx = k.reshape(1, 1, 1, -1).expand(channels, 1, 1, -1).contiguous();
        var ky = k.reshape(1, 1, -1, 1).expand(channels, 1, -1, 1).contiguous();
        var y = functional.pad(x, new long[] { radius, radius, 0, 0 }, PaddingModes.Replicate);
        y = functional.conv2d(y, kx, groups: channels);
        y = functional.pad(y, new long[] { 0, 0, radius, radius }, PaddingModes.Replicate);
        return functional.conv2d(y, ky, groups: channels);
    }

    /// <summary>One affine pose in normalised coordinates (the sampling transform of affine_grid).</summary>
    internal readonly record struct Pose(double Degrees, double Tx, double Ty, double Scale, double Shear)
    {
        public static Pose Random(TrainingRandom rng) =>
            new(rng.Uniform(-5, 5), rng.Uniform(-0.1, 0.1), rng.Uniform(-0.1, 0.1), rng.Uniform(0.8, 1.1), rng.Uniform(-5, 5));

        public static Pose Lerp(Pose a, Pose b, double e) =>
            new(a.Degrees + (b.Degrees - a.Degrees) * e, a.Tx + (b.Tx - a.Tx) * e, a.Ty + (b.Ty - a.Ty) * e,
                a.Scale + (b.Scale - a.Scale) * e, a.Shear + (b.Shear - a.Shear) * e);

        public float[] Matrix()
        {
            double r = Degrees * Math.PI / 180, s = Shear * Math.PI / 180, inv = 1 / Scale;
            return new[] { (float)(Math.Cos(r) * inv), (float)(-Math.Sin(r + s) * inv), (float)Tx,
                           (float)(Math.Sin(r) * inv), (float)(Math.Cos(r + s) * inv), (float)Ty };
        }
    }
}
