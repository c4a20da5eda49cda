using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MatteKit.Training.Losses;

/// <summary>
/// The Laplacian pyramid L1 loss on <c>[N, C, H, W]</c>: at each of 5 levels, crop to even size, blur with the 5x5
/// binomial kernel (reflect padding), take every second pixel, upsample (zero insertion x4, blur) and compare the
/// band-pass differences; level l weighs 2^l, the sum is divided by the number of levels.
/// </summary>
internal static class LaplacianLoss
{
    public const int Levels = 5;

    public static Tensor Compute(Tensor pred, Tensor truth, int levels = Levels)
    {
        var kernel = Kernel(pred.dtype, pred.device);
        var predBands = Pyramid(pred, kernel, levels);
        var trueBands = Pyramid(truth, kernel, levels);
        Tensor loss = zeros(1, dtype: pred.dtype).squeeze();
        for (int l = 0; l < levels; l++)
            loss = loss + Math.Pow(2, l) * functional.l1_loss(predBands[l], trueBands[l]);
        return loss / levels;
    }

    private static Tensor Kernel(ScalarType dtype, Device device)
    {
        var row = tensor(new float[] { 1, 4, 6, 4, 1 });
        return (row.outer(row) / 256).to(dtype, device).reshape(1, 1, 5, 5);
    }

    private static List<Tensor> Pyramid(Tensor image, Tensor kernel, int levels)
    {
        var bands = new List<Tensor>(levels);
        var current = image;
        for (int l = 0; l < levels; l++)
        {
            long h = current.shape[2] - current.shape[2] % 2, w = current.shape[3] - current.shape[3] % 2;
            current = current[.., .., ..(int)h, ..(int)w];
            var down = Blur(current, kernel)[.., .., TensorIndex.Slice(null, null, 2), TensorIndex.Slice(null, null, 2)];
            bands.Add(current - Upsample(down, kernel));
            current = down;
        }
        return bands;
    }

    private static Tensor Upsample(Tensor image, Tensor kernel)
    {
        long n = image.shape[0], c = image.shape[1], h = image.shape[2], w = image.shape[3];
        // Zero insertion: each value at the even positions of a twice-as-large grid, times 4 to keep the mean.
        var spread = stack(new[] { image * 4, zeros_like(image) }, 3).reshape(n, c, h * 2, w);
        spread = stack(new[] { spread, zeros_like(spread) }, 4).reshape(n, c, h * 2, w * 2);
        return Blur(spread, kernel);
    }

    private static Tensor Blur(Tensor image, Tensor kernel)
    {
        long n = image.shape[0], c = image.shape[1], h = image.shape[2], w = image.shape[3];
        var x = functional.pad(image.reshape(n * c, 1, h, w), new long[] { 2, 2, 2, 2 }, PaddingModes.Reflect);
        return functional.conv2d(x, kernel).reshape(n, c, h, w);
    }
}
