using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MatteKit.Training.Losses;

/// <summary>
/// The Sobel gradient magnitude BGMv2's losses take (kornia 0.4.1's <c>sobel</c>, the version the official code
/// used): per channel, replicate padding by 1, cross-correlation with the 3x3 Sobel kernels divided by their absolute
/// sum (8), and <c>sqrt(gx^2 + gy^2 + 1e-6)</c> (the constant keeps the gradient of a flat region finite).
/// </summary>
internal static class SobelMagnitude
{
    private const double Epsilon = 1e-6;

    public static Tensor Of(Tensor x)
    {
        long n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        var padded = functional.pad(x.reshape(n * c, 1, h, w), new long[] { 1, 1, 1, 1 }, PaddingModes.Replicate);
        var gradients = functional.conv2d(padded, Kernels(x.dtype, x.device));
        var gx = gradients[.., 0];
        var gy = gradients[.., 1];
        return (gx * gx + gy * gy + Epsilon).sqrt().reshape(n, c, h, w);
    }

    /// <summary><c>[2, 1, 3, 3]</c>: the horizontal Sobel kernel and its transpose, each divided by 8.</summary>
    private static Tensor Kernels(ScalarType dtype, Device device)
    {
        var gx = new float[] { -1, 0, 1, -2, 0, 2, -1, 0, 1 };
        var gy = new float[] { -1, -2, -1, 0, 0, 0, 1, 2, 1 };
        return (tensor(gx.Concat(gy).ToArray()) / 8).reshape(2, 1, 3, 3).to(dtype, device);
    }
}
