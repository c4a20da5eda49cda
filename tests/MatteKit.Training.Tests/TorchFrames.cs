using static TorchSharp.torch;

namespace MatteKit.Tests.Training;

/// <summary>Frames in and out of TorchSharp tensors for the tests.</summary>
internal static class TorchFrames
{
    /// <summary>Interleaved RGB bytes to <c>[1, 1, 3, H, W]</c> floats in 0..1 (divided by 255 in float32).</summary>
    public static Tensor FromRgb24(byte[] rgb, int width, int height)
    {
        var planar = new float[rgb.Length];
        int plane = width * height;
        for (int p = 0; p < plane; p++)
            for (int c = 0; c < 3; c++) planar[c * plane + p] = rgb[p * 3 + c] / 255f;
        return tensor(planar).reshape(1, 1, 3, height, width);
    }

    /// <summary>All values of a tensor in row-major order.</summary>
    public static float[] Values(Tensor t) => t.detach().contiguous().data<float>().ToArray();
}
