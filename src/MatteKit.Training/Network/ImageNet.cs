using static TorchSharp.torch;

namespace MatteKit.Training.Network;

/// <summary>The ImageNet statistics both official encoders normalise their input with.</summary>
internal static class ImageNet
{
    public static Tensor Mean => tensor(new[] { 0.485f, 0.456f, 0.406f }).reshape(1, 3, 1, 1);
    public static Tensor Std => tensor(new[] { 0.229f, 0.224f, 0.225f }).reshape(1, 3, 1, 1);
}
