using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MatteKit.Training.Losses;

/// <summary>
/// BGMv2's base-network loss (the official <c>train_base.py</c>): L1 and Sobel-gradient L1 on alpha, L1 on the
/// foreground where the true alpha is non-zero (a mean over all elements, masked ones counting as zeros), and the
/// MSE of the predicted error map against the actual <c>|alpha - true alpha|</c> (alpha detached there: the error
/// head learns to predict the mistakes, it does not push alpha).
/// </summary>
internal static class BgmBaseLoss
{
    public static BgmLossTerms Compute(Tensor predPha, Tensor predFgr, Tensor predErr, Tensor truePha, Tensor trueFgr)
    {
        var trueErr = (predPha.detach() - truePha).abs();
        var mask = truePha.ne(0);
        return new BgmLossTerms(new[]
        {
            ("pha_l1", functional.l1_loss(predPha, truePha)),
            ("pha_sobel_l1", functional.l1_loss(SobelMagnitude.Of(predPha), SobelMagnitude.Of(truePha))),
            ("fgr_l1_masked", functional.l1_loss(predFgr * mask, trueFgr * mask)),
            ("err_mse", functional.mse_loss(predErr, trueErr)),
        });
    }
}
