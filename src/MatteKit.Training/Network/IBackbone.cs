using static TorchSharp.torch;

namespace MatteKit.Training.Network;

/// <summary>An RVM encoder: frames <c>[N, 3, H, W]</c> to four feature maps at 1/2, 1/4, 1/8 and 1/16.</summary>
internal interface IBackbone
{
    Tensor[] forward(Tensor frames);
}
