using MatteKit.Conversion;
using MatteKit.Tests.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace MatteKit.Tests.Jobs;

/// <summary>
/// The job runner as a library user has it (<see cref="ConversionQueue"/>, public types only): a job into its own folder
/// waited for, with its summary; a job with its own paths; a running job cancelled (its folder gone, nothing under the
/// output's name); a full queue and bad options refused with nothing queued; disposing removes every job's folder.
/// </summary>
public sealed class ConversionQueueTests
{
    private static readonly string Clip = Path.Combine(SharedData.RepoRoot, "samples", "astronaut_zoom.mp4");
    private static readonly string Image = Path.Combine(SharedData.RepoRoot, "samples", "astronaut.png");
    private readonly ITestOutputHelper _log;

    public ConversionQueueTests(ITestOutputHelper log) => _log = log;

    [SkippableFact]
    public async Task JobsRunWaitCancelAndAreRefusedWhenTheyCannotBe()
    {
        MediaTools.SkipIfMissing();
        using var temp = new TempFolder();
        string folder;
        using (var queue = new ConversionQueue(temp.File("jobs"), concurrentJobs: 1, maxQueued: 1))
        {
            folder = queue.Folder;
            // Into its own folder: the input copied there, the output beside it.
            string inFolder = queue.Submit(f =>
            {
                File.Copy(Image, Path.Combine(f, "in.png"));
                return new ConvertOptions { Input = Path.Combine(f, "in.png"), OutputAlpha = Path.Combine(f, "alpha.png"), Matting = new() { Threads = 1 } };
            });
            var done = await queue.WaitAsync(inFolder).WaitAsync(TimeSpan.FromSeconds(90));
            _log.WriteLine($"{done.Id}: {done.Status}, {done.FramesDone}/{done.FramesTotal} frames");
            Assert.Equal(ConversionJob.Done, done.Status);
            Assert.True(done.IsFinished);
            Assert.Equal(1, done.Summary!.Frames);
            Assert.True(File.Exists(Path.Combine(done.Folder, "alpha.png")));

            // Its own paths, outside the queue's folder.
            string own = queue.Submit(new ConvertOptions { Input = Image, OutputAlpha = temp.File("mine.png"), Matting = new() { Threads = 1 } });
            Assert.Equal(ConversionJob.Done, (await queue.WaitAsync(own).WaitAsync(TimeSpan.FromSeconds(90))).Status);
            Assert.True(File.Exists(temp.File("mine.png")));

            // Bad options: refused at once, nothing queued.
            int before = queue.Jobs.Count;
            Assert.Throws<ArgumentException>(() => queue.Submit(new ConvertOptions { Input = Image }));
            Assert.Equal(before, queue.Jobs.Count);

            // A long one running, one waiting, one more refused; the running one cancelled.
            string running = queue.Submit(new ConvertOptions { Input = Clip, OutputComposition = temp.File("long.mp4"), Matting = new() { Threads = 1, DownsampleRatio = 1 } });
            string waiting = queue.Submit(new ConvertOptions { Input = Image, OutputAlpha = temp.File("later.png"), Matting = new() { Threads = 1 } });
            Assert.ThrowsAny<InvalidOperationException>(() => queue.Submit(new ConvertOptions { Input = Image, OutputAlpha = temp.File("x.png") }));
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (queue.Find(running)!.Status != ConversionJob.Running && DateTime.UtcNow < deadline) await Task.Delay(20);
            Assert.True(queue.Cancel(running));
            var cancelled = await queue.WaitAsync(running).WaitAsync(TimeSpan.FromSeconds(90));
            Assert.Equal(ConversionJob.Cancelled, cancelled.Status);
            Assert.False(File.Exists(temp.File("long.mp4")));
            Assert.Equal(ConversionJob.Done, (await queue.WaitAsync(waiting).WaitAsync(TimeSpan.FromSeconds(90))).Status);
            Assert.False(queue.Cancel(waiting)); // ended
            Assert.True(queue.Remove(waiting));
            Assert.Null(queue.Find(waiting));
            Assert.Throws<ArgumentException>(() => queue.WaitAsync("0123").GetAwaiter().GetResult());
        }
        Assert.Empty(Directory.EnumerateDirectories(folder));
        Assert.True(File.Exists(temp.File("mine.png"))); // the user's own outputs stay
    }
}
