namespace MatteKit.Conversion;

/// <summary>
/// Frames written so far out of the total, reported after each frame. <see cref="FramesTotal"/> is an estimate
/// from the container for video inputs (exact for image inputs) and 0 when unknown (stdin, streams, devices).
/// </summary>
public readonly record struct ConvertProgress(int FramesDone, int FramesTotal, TimeSpan Elapsed);
