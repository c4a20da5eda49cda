using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MatteKit.Training.Losses;

/// <summary>The segmentation objective: binary cross-entropy of the head's logits against a 0/1 person mask.</summary>
internal static class SegmentationLoss
{
    public static Tensor Compute(Tensor logits, Tensor target) => functional.binary_cross_entropy_with_logits(logits, target);
}
