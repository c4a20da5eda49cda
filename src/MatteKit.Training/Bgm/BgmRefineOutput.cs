using static TorchSharp.torch;

namespace MatteKit.Training.Bgm;

/// <summary>
/// What the whole BGMv2 network (the official <c>MattingRefine</c>) gives: refined alpha and foreground at full
/// size, the base network's alpha, foreground and error at the base size, and the map of refined patches
/// <c>[B, 1, H/4, W/4]</c> (0/1).
/// </summary>
internal sealed record BgmRefineOutput(Tensor Alpha, Tensor Foreground, Tensor AlphaSmall, Tensor ForegroundSmall, Tensor ErrorSmall, Tensor Selected);
