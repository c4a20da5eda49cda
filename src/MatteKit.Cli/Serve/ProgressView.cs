namespace MatteKit.Cli.Serve;

/// <summary>A job's progress as the API shows it.</summary>
/// <param name="FramesDone">Frames written so far.</param>
/// <param name="FramesTotal">Frames expected (the container's estimate for a video; exact once done; 0 when unknown).</param>
/// <param name="Fps">Frames a second since the run began, loading included.</param>
/// <param name="EtaSeconds">Seconds left at that rate; null while unknown.</param>
internal sealed record ProgressView(int FramesDone, int FramesTotal, double Fps, double? EtaSeconds);
