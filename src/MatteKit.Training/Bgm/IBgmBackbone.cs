using static TorchSharp.torch;

namespace MatteKit.Training.Bgm;

/// <summary>A BGMv2 encoder: the 6-channel frame-and-plate input to features at 1/2, 1/4, 1/8 and 1/16 (last one widest).</summary>
internal interface IBgmBackbone
{
    /// <summary>Channels of the 1/16, 1/8, 1/4 and 1/2 features (the order the decoder takes them).</summary>
    long[] Channels { get; }

    /// <summary>The first convolution's weight <c>[out, 6, k, k]</c>: input channels 0-2 see the frame, 3-5 the plate.</summary>
    TorchSharp.Modules.Parameter StemWeight { get; }

    /// <summary>Features <c>(x4, x3, x2, x1)</c> of <c>[N, 6, H, W]</c>.</summary>
    (Tensor X4, Tensor X3, Tensor X2, Tensor X1) Encode(Tensor input);
}
