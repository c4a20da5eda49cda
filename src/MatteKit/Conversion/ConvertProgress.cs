namespace MatteKit.Conversion;

/// <summary>Frames done out of the total, reported after each frame.</summary>
public readonly record struct ConvertProgress(int FramesDone, int FramesTotal, TimeSpan Elapsed);
