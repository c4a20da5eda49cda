namespace MatteKit.Jobs;

/// <summary>How a <see cref="JobRunner"/> keeps its jobs: where, how many at once, how many waiting, for how long.</summary>
internal sealed record JobRunnerOptions
{
    /// <summary>The folder that holds one folder per job (created; only this runner may use it).</summary>
    public required string Folder { get; init; }

    /// <summary>Jobs converted at the same time.</summary>
    public int ConcurrentJobs { get; init; } = 1;

    /// <summary>Jobs waiting for a free slot beyond those running; one more is refused (<see cref="JobQueueFullException"/>).</summary>
    public int MaxQueued { get; init; } = 16;

    /// <summary>The most finished jobs kept with their files; beyond, the earliest submitted is forgotten (so the disk they hold is bounded too).</summary>
    public int MaxFinished { get; init; } = 32;

    /// <summary>How long a finished job (done, failed, cancelled) and its files are kept.</summary>
    public TimeSpan Retention { get; init; } = DefaultRetention;

    public static readonly TimeSpan DefaultRetention = TimeSpan.FromHours(24);

    /// <summary>
    /// Free space the job folder's disk must have, beyond the job's input size, when a job starts; less fails the job
    /// with a message saying so (outputs are at most a few times the input; a full disk would fail it halfway).
    /// </summary>
    public long MinFreeBytes { get; init; } = 256L << 20;

    /// <summary>A failed job's error in the caller's words (the CLI's flags instead of property names); null = the message.</summary>
    public Func<Exception, string>? DescribeError { get; init; }

    /// <exception cref="ArgumentException">A bound out of range.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Folder)) throw new ArgumentException($"{nameof(Folder)} must name a folder", nameof(Folder));
        if (ConcurrentJobs is < 1 or > 64) throw new ArgumentException($"{nameof(ConcurrentJobs)} must be a whole number from 1 to 64, got {ConcurrentJobs}", nameof(ConcurrentJobs));
        if (MaxQueued is < 0 or > 10_000) throw new ArgumentException($"{nameof(MaxQueued)} must be a whole number from 0 to 10000, got {MaxQueued}", nameof(MaxQueued));
        if (MaxFinished is < 1 or > 10_000) throw new ArgumentException($"{nameof(MaxFinished)} must be a whole number from 1 to 10000, got {MaxFinished}", nameof(MaxFinished));
        if (!(Retention > TimeSpan.Zero && Retention <= TimeSpan.FromDays(365)))
            throw new ArgumentException($"{nameof(Retention)} must be positive and at most a year, got {Retention}", nameof(Retention));
        if (MinFreeBytes < 0) throw new ArgumentException($"{nameof(MinFreeBytes)} must be >= 0, got {MinFreeBytes}", nameof(MinFreeBytes));
    }
}
