using MatteKit.Conversion;

namespace MatteKit.Jobs;

/// <summary>A <see cref="Job"/> at one moment: <see cref="Version"/> grows with every change.</summary>
internal sealed record JobSnapshot(string Id, JobState State, JobProgress Progress, string? Error, DateTimeOffset Created,
    DateTimeOffset? Finished, ConvertSummary? Summary, int Version)
{
    public bool IsFinished => Job.IsFinal(State);
}
