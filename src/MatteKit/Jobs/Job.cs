using MatteKit.Conversion;

namespace MatteKit.Jobs;

/// <summary>
/// One conversion of a <see cref="JobRunner"/>: its own folder (input and outputs), its state, progress and error.
/// Every change bumps <see cref="Version"/> and wakes those waiting in <see cref="WaitForChangeAsync"/> (a server's
/// event stream). Read it whole with <see cref="Snapshot"/>.
/// </summary>
internal sealed class Job : IProgress<ConvertProgress>
{
    private readonly object _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private JobState _state = JobState.Queued;
    private JobProgress _progress;
    private string? _error;
    private DateTimeOffset? _finished;
    private ConvertSummary? _summary;
    private int _version;

    internal Job(string id, string folder, DateTimeOffset created)
    {
        Id = id;
        Folder = folder;
        Created = created;
    }

    /// <summary>32 hexadecimal digits from the system's generator: not guessable, safe as a file and URL name.</summary>
    public string Id { get; }

    /// <summary>The job's own folder; removed with the job.</summary>
    public string Folder { get; }

    public DateTimeOffset Created { get; }

    /// <summary>What the job converts (its input and outputs in <see cref="Folder"/>); null until it is queued.</summary>
    public ConvertOptions? Options { get; internal set; }

    /// <summary>Stops the job's run (the converter kills its ffmpeg children and removes its temporaries).</summary>
    internal CancellationTokenSource Cancellation { get; } = new();

    /// <summary>Whether the job has been queued (a reserved one is not listed until then).</summary>
    internal bool Listed { get; set; }

    public JobState State
    {
        get { lock (_gate) return _state; }
    }

    public bool IsFinished => IsFinal(State);

    /// <summary>Whether a job in this state has ended (done, failed or cancelled): the one definition of it.</summary>
    internal static bool IsFinal(JobState state) => state is JobState.Done or JobState.Failed or JobState.Cancelled;

    /// <summary>A message with this job's files named as they are in its folder: a caller need not learn where the runner keeps jobs.</summary>
    public string Relative(string message)
        => message.Replace(Folder + Path.DirectorySeparatorChar, "", StringComparison.Ordinal).Replace(Folder, ".", StringComparison.Ordinal);

    /// <summary>The job as it is now, every field from the same moment.</summary>
    public JobSnapshot Snapshot()
    {
        lock (_gate) return new JobSnapshot(Id, _state, _progress, _error, Created, _finished, _summary, _version);
    }

    /// <summary>
    /// The outputs of a job that is done: the name each has in <see cref="Folder"/> under its role
    /// (composition, alpha, foreground, segmentation); empty otherwise.
    /// </summary>
    public IReadOnlyDictionary<string, string> Outputs()
    {
        if (State != JobState.Done || Options is not { } o) return new Dictionary<string, string>();
        var outputs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (role, path) in new[] { ("composition", o.OutputComposition), ("alpha", o.OutputAlpha), ("foreground", o.OutputForeground), ("segmentation", o.OutputSegmentation) })
            if (path is not null && File.Exists(path)) outputs[role] = Path.GetFileName(path);
        return outputs;
    }

    /// <summary>Waits until the job has changed past <paramref name="seen"/> (a <see cref="JobSnapshot.Version"/>), or until cancelled.</summary>
    public Task WaitForChangeAsync(int seen, CancellationToken cancel)
    {
        Task changed;
        lock (_gate)
        {
            if (_version != seen) return Task.CompletedTask;
            changed = _changed.Task;
        }
        return changed.WaitAsync(cancel);
    }

    void IProgress<ConvertProgress>.Report(ConvertProgress value) => Change(() => _progress = JobProgress.From(value));

    internal void MarkRunning() => Change(() => _state = JobState.Running);

    internal void MarkDone(ConvertSummary summary) => Finish(JobState.Done, null, summary);

    internal void MarkFailed(string error) => Finish(JobState.Failed, error, null);

    internal void MarkCancelled() => Finish(JobState.Cancelled, null, null);

    private void Finish(JobState state, string? error, ConvertSummary? summary) => Change(() =>
    {
        _state = state;
        _error = error;
        _summary = summary;
        _finished = DateTimeOffset.UtcNow;
        if (summary is not null) _progress = _progress with { FramesDone = summary.Frames, FramesTotal = summary.Frames, Remaining = TimeSpan.Zero };
    });

    /// <summary>Whether the job finished before <paramref name="cutoff"/>.</summary>
    internal bool FinishedBefore(DateTimeOffset cutoff)
    {
        lock (_gate) return _finished is { } f && f < cutoff;
    }

    private void Change(Action change)
    {
        TaskCompletionSource woken;
        lock (_gate)
        {
            // A final state stays: a late progress report of a cancelled run does not revive it.
            if (IsFinal(_state)) return;
            change();
            _version++;
            woken = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        woken.SetResult();
    }
}
