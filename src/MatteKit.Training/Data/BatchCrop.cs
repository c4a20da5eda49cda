using static TorchSharp.torch;

namespace MatteKit.Training.Data;

/// <summary>
/// The random crop the official BGMv2 scripts give each batch (its ground truth and background, before the
/// composite and the plate augmentations): a size drawn once per batch, the width then the height, each uniform from
/// half of the stage's size to just under it (<c>train_base.py</c>: 256 to 511 of its 512; <c>train_refine.py</c>:
/// 1024 to 2047 of its 2048, rounded down to a multiple of 4 for the refiner's 4x4 patches); every layer is resized
/// bilinearly (no antialiasing, as <c>kornia.resize</c>) by the smallest factor that keeps its aspect and covers
/// that size, then centre-cropped to it. On the official square data the factor is the larger side's, as the
/// official resize to a square of the larger side.
/// </summary>
internal sealed record BatchCrop(int Width, int Height)
{
    /// <summary>A crop size for a stage at <paramref name="width"/> x <paramref name="height"/>; <paramref name="multiple"/> 4 for the refine stage.</summary>
    public static BatchCrop Draw(TrainingRandom rng, int width, int height, int multiple)
    {
        int w = Side(rng, width, multiple);
        int h = Side(rng, height, multiple);
        return new BatchCrop(w, h);
    }

    private static int Side(TrainingRandom rng, int side, int multiple) =>
        Math.Max(multiple, (side / 2 + rng.Next(side - side / 2)) / multiple * multiple);

    /// <summary>Layers <c>[N, C, H, W]</c> resized to cover this size (aspect kept) and centre-cropped to it.</summary>
    public Tensor[] Apply(Tensor[] layers)
    {
        long h = layers[0].shape[2], w = layers[0].shape[3];
        double scale = Math.Max((double)Width / w, (double)Height / h);
        // The scaled sides, floored as the official int(), but never short of the crop by a rounding error.
        long scaledH = Math.Max(Height, (long)Math.Floor(h * scale + 1e-9)), scaledW = Math.Max(Width, (long)Math.Floor(w * scale + 1e-9));
        long top = (scaledH - Height) / 2, left = (scaledW - Width) / 2;
        return layers.Select(l => Augmentation.Resize(l, scaledH, scaledW).narrow(2, top, Height).narrow(3, left, Width)).ToArray();
    }
}
