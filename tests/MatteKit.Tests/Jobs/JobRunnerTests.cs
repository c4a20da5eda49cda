using MatteKit.Conversion;
using MatteKit.Jobs;
using MatteKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace MatteKit.Tests.Jobs;

/// <summary>
/// The job runner without HTTP, on the samples: a job converted into its folder with its progress; a running job
/// cancelled (its folder gone); a waiting one cancelled; a full queue refused; bad options refused with nothing left;
/// finished jobs expiring; the folder's own lock and what a previous runner left there. Every wait is bounded.
/// </summary>
public sealed class JobRunnerTests
{
    private static readonly string Clip = Path.Combine(SharedData.RepoRoot, "samples", "astronaut_zoom.mp4");
    private static readonly string Image = Path.Combine(SharedData.RepoRoot, "samples", "astronaut.png");
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);
    private readonly ITestOutputHelper _log;

    public JobRunnerTests(ITestOutputHelper log) => _log = log;

    private static ConvertOptions CompositionOf(string input, string folder, string extension = ".mp4") => new()
    {
        Input = input,
        OutputComposition = Path.Combine(folder, "composition" + extension),
        Matting = new MattingSettings { Threads = 1 },
    };

    private static Job Copying(JobRunner runner, string input, string extension = ".mp4") => runner.Submit(folder =>
    {
        string copy = Path.Combine(folder, "input" + Path.GetExtension(input));
        File.Copy(input, copy);
        return CompositionOf(copy, folder, extension);
    });

    private static void WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what}: not within {Bound.TotalSeconds} s");
            Thread.Sleep(20);
        }
    }

    /// <summary>Beyond the most finished jobs kept, the earliest is forgotten with its folder: what finished jobs hold on disk is bounded.</summary>
    [Fact]
    public void OnlyTheMostFinishedJobsKeptStay()
    {
        using var temp = new TempFolder();
        using var runner = new JobRunner(new JobRunnerOptions { Folder = temp.File("jobs"), MaxFinished = 2 });
        var jobs = Enumerable.Range(0, 3).Select(_ => Copying(runner, Image, ".png")).ToList();
        WaitUntil(() => jobs.All(j => j.IsFinished), "three image jobs");
        // The job leaves the list, then its folder goes (outside the runner's lock): wait for both.
        WaitUntil(() => runner.Jobs.Count == 2 && !Directory.Exists(jobs[0].Folder), "the earliest finished job forgotten with its folder");
        Assert.Equal(jobs.Skip(1).Select(j => j.Id), runner.Jobs.Select(j => j.Id));
        Assert.All(jobs.Skip(1), j => Assert.True(Directory.Exists(j.Folder)));
        Assert.Throws<ArgumentException>(() => new JobRunnerOptions { Folder = temp.File("x"), MaxFinished = 0 }.Validate());
    }

    [SkippableFact]
    public void AJobIsConvertedIntoItsFolderWithItsProgress()
    {
        MediaTools.SkipIfMissing();
        using var temp = new TempFolder();
        using var runner = new JobRunner(new JobRunnerOptions { Folder = temp.File("jobs") });
        var job = Copying(runner, Clip);
        var seen = new List<JobSnapshot>();
        int version = -1;
        WaitUntil(() =>
        {
            var now = job.Snapshot();
            if (now.Version != version) seen.Add(now);
            version = now.Version;
            return now.IsFinished;
        }, "the job");
        var last = job.Snapshot();
        _log.WriteLine($"{last.State}: {last.Progress} after {seen.Count} snapshots seen; error {last.Error ?? "none"}");
        Assert.Equal(JobState.Done, last.State);
        Assert.Equal(30, last.Progress.FramesDone);
        Assert.Equal(30, last.Progress.FramesTotal);
        Assert.Contains(seen, s => s.State == JobState.Running);
        var outputs = job.Outputs();
        Assert.Equal("composition.mp4", Assert.Single(outputs).Value);
        Assert.Equal(30, MediaTools.Video(Path.Combine(job.Folder, "composition.mp4")).Frames);
        Assert.Same(job, Assert.Single(runner.Jobs));
        Assert.True(runner.Remove(job.Id));
        Assert.False(Directory.Exists(job.Folder));
        Assert.Empty(runner.Jobs);
    }

    [SkippableFact]
    public void ARunningJobCancelledEndsWithItsFolderRemovedAndAWaitingOneNeverRuns()
    {
        MediaTools.SkipIfMissing();
        using var temp = new TempFolder();
        // Twenty times the sample (600 frames): long enough to be caught running.
        string longClip = temp.File("long.mp4");
        MediaTools.Ffmpeg("-stream_loop", "19", "-i", Clip, "-c", "copy", longClip);
        using var runner = new JobRunner(new JobRunnerOptions { Folder = temp.File("jobs"), MaxQueued = 1 });
        var running = Copying(runner, longClip);
        var waiting = Copying(runner, longClip);
        WaitUntil(() => running.Snapshot().Progress.FramesDone > 0, "the first job's first frame");
        Assert.Equal(JobState.Queued, waiting.State);
        Assert.True(runner.Cancel(waiting.Id));
        Assert.Equal(JobState.Cancelled, waiting.State);
        Assert.False(Directory.Exists(waiting.Folder));
        Assert.True(runner.Cancel(running.Id));
        WaitUntil(() => running.IsFinished && !Directory.Exists(running.Folder), "the cancelled job's end");
        _log.WriteLine($"cancelled after {running.Snapshot().Progress.FramesDone} frames; jobs folder holds: " +
                       string.Join(", ", Directory.EnumerateFileSystemEntries(temp.File("jobs")).Select(Path.GetFileName)));
        Assert.Equal(JobState.Cancelled, running.State);
        Assert.Empty(Directory.EnumerateDirectories(temp.File("jobs")));
        Assert.False(runner.Cancel(running.Id));
    }

    [Fact]
    public void AFullQueueIsRefusedAndAReleasedPlaceIsFreeAgain()
    {
        using var temp = new TempFolder();
        using var runner = new JobRunner(new JobRunnerOptions { Folder = temp.File("jobs"), ConcurrentJobs = 1, MaxQueued = 1 });
        var first = runner.Reserve();
        var second = runner.Reserve();
        var full = Assert.Throws<JobQueueFullException>(() => runner.Reserve());
        _log.WriteLine(full.Message);
        Assert.Equal(2, full.Capacity);
        runner.Release(second);
        Assert.False(Directory.Exists(second.Folder));
        var third = runner.Reserve();
        Assert.True(Directory.Exists(third.Folder));
        Assert.Empty(runner.Jobs);
        runner.Release(first);
        runner.Release(third);
    }

    [Fact]
    public void BadOptionsAreRefusedWithNothingLeft()
    {
        using var temp = new TempFolder();
        using var runner = new JobRunner(new JobRunnerOptions { Folder = temp.File("jobs") });
        var error = Assert.Throws<ArgumentException>(() => runner.Submit(folder => CompositionOf(Image, folder) with
        {
            Matting = new MattingSettings { DownsampleRatio = 2 },
        }));
        _log.WriteLine(error.Message);
        Assert.Contains("DownsampleRatio", error.Message);
        Assert.Empty(runner.Jobs);
        Assert.Empty(Directory.EnumerateDirectories(temp.File("jobs")));
    }

    [SkippableFact]
    public void AFailedJobSaysWhyAndFinishedJobsExpire()
    {
        MediaTools.SkipIfMissing();
        using var temp = new TempFolder();
        using var runner = new JobRunner(new JobRunnerOptions { Folder = temp.File("jobs"), Retention = TimeSpan.FromMilliseconds(200) });
        var failing = runner.Submit(folder =>
        {
            string notAVideo = Path.Combine(folder, "input.mp4");
            File.WriteAllText(notAVideo, "not a video");
            return CompositionOf(notAVideo, folder);
        });
        var image = Copying(runner, Image, ".png");
        WaitUntil(() => failing.IsFinished && image.IsFinished, "both jobs");
        _log.WriteLine($"failed: {failing.Snapshot().Error}");
        Assert.Equal(JobState.Failed, failing.State);
        Assert.Contains("input.mp4", failing.Snapshot().Error);
        Assert.False(Directory.Exists(failing.Folder));
        Assert.Equal(JobState.Done, image.State);
        Assert.True(File.Exists(Path.Combine(image.Folder, "composition.png")));
        Thread.Sleep(300);
        runner.RemoveExpired();
        Assert.Empty(runner.Jobs);
        Assert.False(Directory.Exists(image.Folder));
    }

    [SkippableFact]
    public void AJobFailsBeforeItStartsWhenTheDiskHasNoRoom()
    {
        MediaTools.SkipIfMissing();
        using var temp = new TempFolder();
        // More free space asked for than any disk has.
        using var runner = new JobRunner(new JobRunnerOptions { Folder = temp.File("jobs"), MinFreeBytes = 1L << 60 });
        var job = Copying(runner, Image, ".png");
        WaitUntil(() => job.IsFinished, "the job");
        string? error = job.Snapshot().Error;
        _log.WriteLine(error);
        Assert.Equal(JobState.Failed, job.State);
        Assert.Contains("MB free, a job needs at least", error);
        Assert.DoesNotContain(temp.Path, error);
        Assert.False(Directory.Exists(job.Folder));
    }

    [Fact]
    public void TheFolderIsOneRunnersAndWhatAPreviousOneLeftIsRemoved()
    {
        using var temp = new TempFolder();
        string jobs = temp.File("jobs");
        string leftover = Path.Combine(jobs, new string('a', 32));
        string notAJob = Path.Combine(jobs, "keep-me");
        // A folder of the user's that only looks like a job's (its name): never a runner's to remove.
        string looksLikeAJob = Path.Combine(jobs, new string('b', 32));
        Directory.CreateDirectory(leftover);
        Directory.CreateDirectory(notAJob);
        Directory.CreateDirectory(looksLikeAJob);
        File.WriteAllText(Path.Combine(looksLikeAJob, "notes.txt"), "the user's");
        // As a runner makes a job's folder: with its marker.
        File.WriteAllBytes(Path.Combine(leftover, ".mattekit-job"), []);
        File.WriteAllText(Path.Combine(leftover, "input.mp4"), "left by a runner killed outright");
        Job reserved;
        using (var runner = new JobRunner(new JobRunnerOptions { Folder = jobs }))
        {
            Assert.False(Directory.Exists(leftover));
            Assert.True(Directory.Exists(notAJob));
            Assert.True(File.Exists(Path.Combine(looksLikeAJob, "notes.txt")));
            var second = Assert.Throws<IOException>(() => new JobRunner(new JobRunnerOptions { Folder = jobs }));
            _log.WriteLine(second.Message);
            reserved = runner.Reserve();
            Assert.True(Directory.Exists(reserved.Folder));
        }
        Assert.False(Directory.Exists(reserved.Folder));
        using var next = new JobRunner(new JobRunnerOptions { Folder = jobs });
    }
}
