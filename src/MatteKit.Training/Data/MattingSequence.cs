using static TorchSharp.torch;

namespace MatteKit.Training.Data;

/// <summary>
/// T frames of ground truth at source size: foreground <c>[T, 3, H, W]</c>, alpha <c>[T, 1, H, W]</c>, and for
/// clips that come composited (the evaluation layout) the composite <c>[T, 3, H, W]</c>.
/// </summary>
internal sealed record MattingSequence(Tensor Foreground, Tensor Alpha, Tensor? Composite);
