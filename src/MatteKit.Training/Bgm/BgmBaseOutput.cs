using static TorchSharp.torch;

namespace MatteKit.Training.Bgm;

/// <summary>
/// What BGMv2's base network (the official <c>MattingBase</c>) gives at its input's size: alpha, foreground and
/// error clamped to 0..1, the raw foreground residual (the refiner takes it unclamped) and the ReLU'd hidden features.
/// </summary>
internal sealed record BgmBaseOutput(Tensor Alpha, Tensor Foreground, Tensor Residual, Tensor Error, Tensor Hidden);
