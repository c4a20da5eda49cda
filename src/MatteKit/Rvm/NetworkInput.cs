using MatteKit.Onnx;

namespace MatteKit.Rvm;

/// <summary>
/// The frames as the network reads them: at ratio 1 the frames themselves as floats in 0..1; below it the refiner's
/// guide <c>[R, G, B, grey]</c> at full resolution and downsampled, whose first three channels are the network's
/// input, so the frames are never copied to floats at full resolution.
/// </summary>
internal sealed record NetworkInput(GraphValue Downsampled, GraphValue? Source, RefinerGuide? Guide, GraphValue? CoarseGuide);
