namespace MatteKit.Jobs;

/// <summary>Where a job of a <see cref="JobRunner"/> stands; the last three are final.</summary>
internal enum JobState
{
    Queued,
    Running,
    Done,
    Failed,
    Cancelled,
}
