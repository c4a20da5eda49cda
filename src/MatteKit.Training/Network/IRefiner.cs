using static TorchSharp.torch;

namespace MatteKit.Training.Network;

/// <summary>
/// Brings the network's output at its resolution up to the full-resolution frame, guided by the frame. Inputs
/// are <c>[B*T, C, H, W]</c>: the full frame, the frame at network size, the fgr residual, alpha, hidden features.
/// </summary>
internal interface IRefiner
{
    (Tensor FgrResidual, Tensor Alpha) Refine(Tensor fineImage, Tensor coarseImage, Tensor fgrResidual, Tensor alpha, Tensor hidden);
}
