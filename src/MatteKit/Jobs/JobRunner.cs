using System.Security.Cryptography;
using System.Text.RegularExpressions;
using MatteKit.Conversion;

namespace MatteKit.Jobs;

/// <summary>
/// Conversions as jobs, without HTTP: a bounded queue (<see cref="JobRunnerOptions.MaxQueued"/> waiting beyond the
/// <see cref="JobRunnerOptions.ConcurrentJobs"/> running; one more is refused with <see cref="JobQueueFullException"/>),
/// each job a <see cref="Converter.Run(ConvertOptions, IProgress{ConvertProgress}?, CancellationToken)"/> into its own
/// folder, with progress, cancellation (its folder removed) and finished jobs forgotten after
/// <see cref="JobRunnerOptions.Retention"/>. The folder is this runner's alone (a lock file says so): what a previous
/// runner left there (one killed outright) is removed at start, and everything is removed when it is disposed.
/// A job is made in two steps when its input arrives over time (an upload): <see cref="Reserve"/> takes its place in
/// the queue and makes its folder, <see cref="Enqueue"/> hands it its options; <see cref="Submit"/> does both.
/// </summary>
internal sealed partial class JobRunner : IDisposable
{
    private const string LockName = ".mattekit-jobs.lock";

    /// <summary>The file each job folder is made with: only folders holding it are a runner's to remove at start.</summary>
    private const string MarkerName = ".mattekit-job";
    private static readonly TimeSpan StopWait = TimeSpan.FromSeconds(10);

    private readonly JobRunnerOptions _options;
    private readonly FileStream _lock;
    private readonly object _gate = new();
    private readonly Dictionary<string, Job> _jobs = new(StringComparer.Ordinal);
    private readonly Queue<Job> _waiting = new();
    private readonly SemaphoreSlim _ready = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread[] _workers;
    private readonly Timer _expiry;
    private int _running, _reserved, _queued;
    private bool _disposed;

    /// <exception cref="ArgumentException">The options are out of range.</exception>
    /// <exception cref="IOException">The folder cannot be made, or another runner uses it.</exception>
    public JobRunner(JobRunnerOptions options)
    {
        options.Validate();
        _options = options;
        Directory.CreateDirectory(options.Folder);
        try
        {
            _lock = new FileStream(Path.Combine(options.Folder, LockName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (IOException e)
        {
            throw new IOException($"{options.Folder}: another mattekit keeps its jobs there ({e.Message.TrimEnd('.')})", e);
        }
        // What a runner killed outright left: its job folders, known by their names and the marker in them (a folder
        // of the user's that only looks like one is never touched).
        foreach (var leftover in Directory.EnumerateDirectories(options.Folder)
                     .Where(d => JobId().IsMatch(Path.GetFileName(d)) && File.Exists(Path.Combine(d, MarkerName)) && new DirectoryInfo(d).LinkTarget is null))
            RemoveFolder(leftover);
        _workers = Enumerable.Range(0, options.ConcurrentJobs)
            .Select(i => new Thread(Work) { IsBackground = true, Name = $"mattekit job {i}" }).ToArray();
        foreach (var worker in _workers) worker.Start();
        var every = TimeSpan.FromTicks(Math.Min(options.Retention.Ticks / 4, TimeSpan.FromMinutes(1).Ticks));
        _expiry = new Timer(_ => RemoveExpired(), null, every, every);
    }

    /// <summary>Jobs running and waiting together that the runner takes.</summary>
    public int Capacity => _options.ConcurrentJobs + _options.MaxQueued;

    /// <summary>The folder of the jobs.</summary>
    public string Folder => _options.Folder;

    /// <summary>The jobs queued so far and not removed, oldest first.</summary>
    public IReadOnlyList<Job> Jobs
    {
        get
        {
            lock (_gate) return _jobs.Values.Where(j => j.Listed).OrderBy(j => j.Created).ToList();
        }
    }

    public Job? Find(string id)
    {
        lock (_gate) return _jobs.TryGetValue(id, out var job) && job.Listed ? job : null;
    }

    /// <summary>A place in the queue and an empty folder for a job's input; <see cref="Enqueue"/> or <see cref="Release"/> it.</summary>
    /// <exception cref="JobQueueFullException">As many jobs as <see cref="Capacity"/> are running or waiting.</exception>
    public Job Reserve()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_running + _queued + _reserved >= Capacity) throw new JobQueueFullException(Capacity);
            string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            var job = new Job(id, Path.Combine(_options.Folder, id), DateTimeOffset.UtcNow);
            Directory.CreateDirectory(job.Folder);
            File.WriteAllBytes(Path.Combine(job.Folder, MarkerName), []);
            _jobs.Add(id, job);
            _reserved++;
            return job;
        }
    }

    /// <summary>Queues a reserved job with what it converts (input and outputs in its folder, checked first).</summary>
    /// <exception cref="ArgumentException">The options do not make sense; the job stays reserved.</exception>
    public void Enqueue(Job job, ConvertOptions options)
    {
        options.Validate();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (job.Listed || !_jobs.ContainsKey(job.Id)) throw new InvalidOperationException($"job {job.Id} is not a reserved one");
            job.Options = options;
            job.Listed = true;
            _reserved--;
            _queued++;
            _waiting.Enqueue(job);
        }
        _ready.Release();
    }

    /// <summary>Gives back a reserved job that will not be queued (its upload failed): its folder is removed.</summary>
    public void Release(Job job)
    {
        lock (_gate)
        {
            if (job.Listed || !_jobs.Remove(job.Id)) return;
            _reserved--;
        }
        RemoveFolder(job.Folder);
    }

    /// <summary>Reserves and queues a job whose options <paramref name="optionsIn"/> makes from its folder.</summary>
    /// <exception cref="JobQueueFullException">The queue is full.</exception>
    /// <exception cref="ArgumentException">The options do not make sense; nothing is queued.</exception>
    public Job Submit(Func<string, ConvertOptions> optionsIn)
    {
        var job = Reserve();
        try
        {
            Enqueue(job, optionsIn(job.Folder));
            return job;
        }
        catch
        {
            Release(job);
            throw;
        }
    }

    /// <summary>
    /// Cancels a waiting or running job: it ends as cancelled, its folder removed (a running one's once its converter
    /// has stopped). False when there is no such job or it had finished.
    /// </summary>
    public bool Cancel(string id)
    {
        Job? job = Find(id);
        if (job is null) return false;
        bool wasWaiting;
        // Under the gate, as the end of a run is: a job either finishes done or is cancelled, never both.
        lock (_gate)
        {
            if (job.IsFinished) return false;
            wasWaiting = job.State == JobState.Queued;
            if (wasWaiting)
            {
                job.MarkCancelled();
                _queued--;
            }
            job.Cancellation.Cancel();
        }
        if (wasWaiting) RemoveFolder(job.Folder);
        return true;
    }

    /// <summary>Removes a job: a finished one is forgotten with its folder; a waiting or running one is cancelled first.</summary>
    public bool Remove(string id)
    {
        Job? job = Find(id);
        if (job is null) return false;
        if (!job.IsFinished)
        {
            Cancel(id);
            return true;
        }
        Forget(job);
        return true;
    }

    /// <summary>
    /// Forgets, with their folders, the jobs finished longer ago than the retention, and the earliest finished beyond
    /// the most kept (<see cref="JobRunnerOptions.MaxFinished"/>).
    /// </summary>
    public void RemoveExpired()
    {
        var cutoff = DateTimeOffset.UtcNow - _options.Retention;
        List<Job> expired;
        lock (_gate)
        {
            var finished = _jobs.Values.Where(j => j.Listed && j.IsFinished).OrderBy(j => j.Created).ToList();
            expired = finished.Where(j => j.FinishedBefore(cutoff)).Union(finished.Take(Math.Max(0, finished.Count - _options.MaxFinished))).ToList();
        }
        foreach (var job in expired) Forget(job);
    }

    private void Forget(Job job)
    {
        lock (_gate) _jobs.Remove(job.Id);
        RemoveFolder(job.Folder);
    }

    private void Work()
    {
        while (true)
        {
            try
            {
                _ready.Wait(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            Job job;
            lock (_gate)
            {
                if (_waiting.Count == 0) continue;
                job = _waiting.Dequeue();
                // Cancelled while it waited: nothing to run.
                if (job.State != JobState.Queued) continue;
                _queued--;
                _running++;
                job.MarkRunning();
            }
            try
            {
                Run(job);
            }
            finally
            {
                lock (_gate) _running--;
            }
            RemoveExpired();
        }
    }

    private void Run(Job job)
    {
        var cancel = job.Cancellation.Token;
        try
        {
            CheckFreeSpace(job);
            var summary = Converter.Run(job.Options!, job, cancel);
            lock (_gate)
            {
                if (!cancel.IsCancellationRequested)
                {
                    job.MarkDone(summary);
                    return;
                }
            }
            job.MarkCancelled(); // cancelled as it finished: its outputs go with it
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            job.MarkCancelled();
        }
        catch (Exception e)
        {
            // A run cancelled halfway can fail in its own words (an ffmpeg child killed): it was still cancelled.
            // Any other failure is the job's alone (a bug included): the runner goes on with the next one.
            if (cancel.IsCancellationRequested) job.MarkCancelled();
            else job.MarkFailed(Describe(job, e));
        }
        // Nothing of a job that did not finish is worth keeping: its input, temporaries and partial outputs go.
        RemoveFolder(job.Folder);
    }

    /// <summary>
    /// A failure in one line, its files named as they are in the job's folder (the caller need not learn where the
    /// runner keeps its jobs); an error that is not the input's or the options' says its type.
    /// </summary>
    private string Describe(Job job, Exception e)
    {
        bool expected = e is MediaFormatException or WeightsFormatException or ArgumentException or IOException or UnauthorizedAccessException;
        string line = expected ? _options.DescribeError?.Invoke(e) ?? e.Message : $"internal error ({e.GetType().Name}: {e.Message})";
        return job.Relative(line);
    }

    /// <summary>Whether the jobs' disk has room for an upload of <paramref name="bytes"/> and the outputs' margin.</summary>
    public bool HasRoomFor(long bytes) => _options.MinFreeBytes == 0 || FreeBytes >= bytes + _options.MinFreeBytes;

    /// <summary>What the jobs' disk has free now.</summary>
    private long FreeBytes => new DriveInfo(_options.Folder).AvailableFreeSpace;

    private void CheckFreeSpace(Job job)
    {
        if (_options.MinFreeBytes == 0) return;
        long input = File.Exists(job.Options!.Input) ? new FileInfo(job.Options.Input).Length : 0;
        long free = FreeBytes;
        long needed = _options.MinFreeBytes + input;
        if (free < needed)
            throw new IOException($"the jobs' disk has {free >> 20} MB free, a job needs at least {needed >> 20} MB (its input's size and {_options.MinFreeBytes >> 20} MB for the outputs)");
    }

    private static void RemoveFolder(string folder)
    {
        try
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A file still open somewhere (a download under way on another OS); the next start removes what is left.
        }
    }

    /// <summary>Cancels every job, waits briefly for the running ones to stop, and removes every job's folder.</summary>
    public void Dispose()
    {
        List<Job> all;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            all = _jobs.Values.ToList();
        }
        _expiry.Dispose();
        _stop.Cancel();
        foreach (var job in all) job.Cancellation.Cancel();
        var deadline = DateTime.UtcNow + StopWait;
        foreach (var worker in _workers)
        {
            var left = deadline - DateTime.UtcNow;
            if (left > TimeSpan.Zero) worker.Join(left);
        }
        foreach (var job in all)
        {
            if (!job.IsFinished) job.MarkCancelled();
            RemoveFolder(job.Folder);
            // A worker that did not stop in time may have written into it meanwhile.
            if (Directory.Exists(job.Folder)) RemoveFolder(job.Folder);
        }
        _lock.Dispose();
    }

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex JobId();
}
