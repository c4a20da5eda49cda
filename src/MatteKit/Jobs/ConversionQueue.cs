using MatteKit.Conversion;
using MatteKit.Jobs;

namespace MatteKit;

/// <summary>
/// Conversions run in the background as jobs, without HTTP (what <c>mattekit serve</c> runs on): a bounded queue
/// (<c>concurrentJobs</c> at a time, <c>maxQueued</c> waiting; one more is refused), progress, cancellation, and ended
/// jobs forgotten after the retention (at most 32 kept). Each job has its own folder under <see cref="Folder"/>, for an
/// input and outputs that belong to it; a job that does not finish leaves nothing there, and disposing the queue cancels
/// every job and removes the folders. The folder is this queue's alone.
/// <code>
/// using var queue = new ConversionQueue("/tmp/jobs");
/// string id = queue.Submit(new ConvertOptions { Input = "in.mp4", OutputComposition = "out.mp4" });
/// var job = await queue.WaitAsync(id);   // job.Status: "done", "failed" (job.Error) or "cancelled"
/// </code>
/// </summary>
public sealed class ConversionQueue : IDisposable
{
    private readonly JobRunner _runner;

    /// <param name="folder">Where the jobs' folders go (made if missing; no other queue may use it).</param>
    /// <param name="concurrentJobs">Jobs converted at once, 1 to 64.</param>
    /// <param name="maxQueued">Jobs waiting beyond those, 0 to 10,000.</param>
    /// <param name="retention">How long an ended job and its folder are kept; null = 24 hours.</param>
    /// <exception cref="ArgumentException">A bound out of range.</exception>
    /// <exception cref="IOException">The folder cannot be made, or another queue uses it.</exception>
    public ConversionQueue(string folder, int concurrentJobs = 1, int maxQueued = 16, TimeSpan? retention = null)
    {
        _runner = new JobRunner(new JobRunnerOptions
        {
            Folder = Path.GetFullPath(folder), ConcurrentJobs = concurrentJobs, MaxQueued = maxQueued,
            Retention = retention ?? JobRunnerOptions.DefaultRetention,
        });
    }

    /// <summary>Where the jobs' folders are.</summary>
    public string Folder => _runner.Folder;

    /// <summary>Queues a conversion whose paths are its own (outside the job's folder, which stays empty).</summary>
    /// <returns>The job's id.</returns>
    /// <exception cref="ArgumentException">The options do not make sense (<see cref="ConvertOptions.Validate"/>); nothing is queued.</exception>
    /// <exception cref="InvalidOperationException">The queue is full.</exception>
    public string Submit(ConvertOptions options) => Submit(_ => options);

    /// <summary>
    /// Queues a conversion made from the job's own folder (given to <paramref name="optionsInFolder"/>, already made): put
    /// the input there first, and the outputs, which go with the job when it is removed.
    /// </summary>
    /// <inheritdoc cref="Submit(ConvertOptions)"/>
    public string Submit(Func<string, ConvertOptions> optionsInFolder)
    {
        ArgumentNullException.ThrowIfNull(optionsInFolder);
        return _runner.Submit(optionsInFolder).Id;
    }

    /// <summary>The job as it stands now; null when the queue has no such job (never had, or forgotten).</summary>
    public ConversionJob? Find(string id) => _runner.Find(id) is { } job ? Describe(job) : null;

    /// <summary>Every job the queue keeps, oldest first.</summary>
    public IReadOnlyList<ConversionJob> Jobs => _runner.Jobs.Select(Describe).ToList();

    /// <summary>Cancels a waiting or running job (its folder removed once it has stopped). False when there is no such job or it has ended.</summary>
    public bool Cancel(string id) => _runner.Cancel(id);

    /// <summary>Forgets an ended job with its folder, or cancels one that has not ended. False when there is no such job.</summary>
    public bool Remove(string id) => _runner.Remove(id);

    /// <summary>Waits until the job has ended and returns it so.</summary>
    /// <exception cref="ArgumentException">No such job.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> was cancelled first (the job goes on).</exception>
    public async Task<ConversionJob> WaitAsync(string id, CancellationToken cancel = default)
    {
        var job = _runner.Find(id) ?? throw new ArgumentException($"no job {id} in this queue", nameof(id));
        while (true)
        {
            var now = job.Snapshot();
            if (now.IsFinished) return Describe(job);
            await job.WaitForChangeAsync(now.Version, cancel).ConfigureAwait(false);
        }
    }

    private static ConversionJob Describe(Job job)
    {
        var s = job.Snapshot();
        return new ConversionJob
        {
            Id = s.Id, Folder = job.Folder, Status = s.State switch
            {
                JobState.Queued => ConversionJob.Queued,
                JobState.Running => ConversionJob.Running,
                JobState.Done => ConversionJob.Done,
                JobState.Failed => ConversionJob.Failed,
                _ => ConversionJob.Cancelled,
            },
            FramesDone = s.Progress.FramesDone, FramesTotal = s.Progress.FramesTotal, FramesPerSecond = s.Progress.FramesPerSecond,
            Remaining = s.Progress.Remaining, Error = s.Error, Summary = s.Summary,
        };
    }

    /// <summary>Cancels every job, waits briefly for the running ones to stop, and removes every job's folder.</summary>
    public void Dispose() => _runner.Dispose();
}
