using MatteKit.Training.Network;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MatteKit.Training.Losses;

/// <summary>
/// BGMv2's whole-network loss (the official <c>train_refine.py</c>): at full size and at the base size (the truth
/// resized bilinearly, align_corners false), L1 and Sobel-gradient L1 on alpha and masked L1 on the foreground; and
/// the MSE between the error map and <c>|alpha - true alpha|</c>, both from the base size resized to full size (alpha
/// not detached there, as in the official code).
/// </summary>
internal static class BgmRefineLoss
{
    public static BgmLossTerms Compute(Tensor phaLg, Tensor fgrLg, Tensor phaSm, Tensor fgrSm, Tensor errSm, Tensor truePhaLg, Tensor trueFgrLg)
    {
        long h = truePhaLg.shape[2], w = truePhaLg.shape[3];
        var truePhaSm = Blocks.ResizeTo(truePhaLg, phaSm.shape[2], phaSm.shape[3]);
        var trueFgrSm = Blocks.ResizeTo(trueFgrLg, fgrSm.shape[2], fgrSm.shape[3]);
        var maskLg = truePhaLg.ne(0);
        var maskSm = truePhaSm.ne(0);
        return new BgmLossTerms(new[]
        {
            ("pha_l1_lg", functional.l1_loss(phaLg, truePhaLg)),
            ("pha_l1_sm", functional.l1_loss(phaSm, truePhaSm)),
            ("pha_sobel_l1_lg", functional.l1_loss(SobelMagnitude.Of(phaLg), SobelMagnitude.Of(truePhaLg))),
            ("pha_sobel_l1_sm", functional.l1_loss(SobelMagnitude.Of(phaSm), SobelMagnitude.Of(truePhaSm))),
            ("fgr_l1_masked_lg", functional.l1_loss(fgrLg * maskLg, trueFgrLg * maskLg)),
            ("fgr_l1_masked_sm", functional.l1_loss(fgrSm * maskSm, trueFgrSm * maskSm)),
            ("err_mse", functional.mse_loss(Blocks.ResizeTo(errSm, h, w), (Blocks.ResizeTo(phaSm, h, w) - truePhaLg).abs())),
        });
    }
}
