using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MatteKit.Training.Losses;

/// <summary>
/// The paper's matting loss on <c>[B, T, C, H, W]</c> predictions and ground truth: L1 and a Laplacian pyramid
/// on alpha, temporal coherence (the MSE of frame-to-frame differences, x5) on alpha and foreground, and an L1 on
/// the foreground where the true alpha is above 0. Means run over all elements (masked ones count as zeros).
/// </summary>
internal static class MattingLoss
{
    private const double CoherenceWeight = 5;

    public static MattingLossTerms Compute(Tensor predFgr, Tensor predPha, Tensor trueFgr, Tensor truePha)
    {
        var alphaL1 = functional.l1_loss(predPha, truePha);
        var alphaLaplacian = LaplacianLoss.Compute(predPha.flatten(0, 1), truePha.flatten(0, 1));
        var alphaCoherence = Coherence(predPha, truePha);
        var mask = truePha.gt(0);
        var maskedPred = predFgr * mask;
        var maskedTrue = trueFgr * mask;
        var fgrL1 = functional.l1_loss(maskedPred, maskedTrue);
        var fgrCoherence = Coherence(maskedPred, maskedTrue);
        return new MattingLossTerms(alphaL1, alphaLaplacian, alphaCoherence, fgrL1, fgrCoherence);
    }

    // With one frame there is no difference to take: the term is 0 (the official code would average nothing, NaN).
    private static Tensor Coherence(Tensor pred, Tensor truth)
    {
        long t = pred.shape[1];
        if (t < 2) return zeros(1, dtype: pred.dtype).squeeze() * pred.sum();
        var dPred = pred[.., 1..] - pred[.., ..(int)(t - 1)];
        var dTrue = truth[.., 1..] - truth[.., ..(int)(t - 1)];
        return functional.mse_loss(dPred, dTrue) * CoherenceWeight;
    }
}
