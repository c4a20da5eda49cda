using MatteKit.Conversion;

namespace MatteKit;

/// <summary>
/// One job of a <see cref="ConversionQueue"/> at one moment: where it stands (<see cref="Status"/>: queued, running,
/// done, failed or cancelled), its progress, and when it has ended its summary or error.
/// </summary>
public sealed record ConversionJob
{
    public const string Queued = "queued", Running = "running", Done = "done", Failed = "failed", Cancelled = "cancelled";

    /// <summary>32 hexadecimal digits: the name the queue knows the job by.</summary>
    public required string Id { get; init; }

    /// <summary><see cref="Queued"/>, <see cref="Running"/>, <see cref="Done"/>, <see cref="Failed"/> or <see cref="Cancelled"/>.</summary>
    public required string Status { get; init; }

    /// <summary>The job's own folder (what <see cref="ConversionQueue.Submit(Func{string, ConvertOptions})"/> gave): removed with the job.</summary>
    public required string Folder { get; init; }

    public int FramesDone { get; init; }

    /// <summary>The frames the input holds, 0 while unknown.</summary>
    public int FramesTotal { get; init; }

    /// <summary>Frames a second since the run began (loading included).</summary>
    public double FramesPerSecond { get; init; }

    /// <summary>The time left at that rate; null while unknown.</summary>
    public TimeSpan? Remaining { get; init; }

    /// <summary>Why it failed, one line; null otherwise.</summary>
    public string? Error { get; init; }

    /// <summary>The conversion's summary once done; null otherwise.</summary>
    public ConvertSummary? Summary { get; init; }

    /// <summary>Whether it has ended (done, failed or cancelled).</summary>
    public bool IsFinished => Status is Done or Failed or Cancelled;
}
