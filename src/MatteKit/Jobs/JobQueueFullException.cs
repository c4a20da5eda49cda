namespace MatteKit.Jobs;

/// <summary>A <see cref="JobRunner"/> holds as many jobs as it takes (running and waiting): try again later.</summary>
internal sealed class JobQueueFullException : InvalidOperationException
{
    public JobQueueFullException(int capacity)
        : base($"the queue is full ({capacity} job(s) running or waiting); try again when one has finished")
    {
        Capacity = capacity;
    }

    /// <summary>Jobs running and waiting together that the runner takes.</summary>
    public int Capacity { get; }
}
