using System.Diagnostics;
using MatteKit.Chunking;
using MatteKit.Conversion;
using MatteKit.Media;

namespace MatteKit.Cli;

/// <summary>
/// <c>convert --workers N</c>: the conversion as a plan (beside the first output, named after it), its chunks run by
/// N child processes of this program (<c>mattekit chunk</c>), then joined. A run that fails or is stopped leaves
/// the plan and the finished chunks; the same command again finishes only the missing ones. At most one worker per
/// core, and the cores (or <c>--threads</c>) shared among them: each worker is a whole model and its threads.
/// </summary>
internal static class LocalWorkers
{
    /// <summary>What the plan left beside an output is named after it: <c>.NAME.mattekit-plan.json</c>.</summary>
    private const string PlanSuffix = "mattekit-plan";

    /// <summary>The most workers: one per core (each needs at least one thread; more only contend and add a model's memory each).</summary>
    public static int MaxWorkers => ConvertLimits.MaxThreads;

    public static int Run(ConvertOptions options, int workers, int? chunkFrames, int warmup, bool quiet, CancellationToken cancel)
    {
        if (options.Matting.Threads > 0 && workers > options.Matting.Threads)
            throw new UsageException($"--workers {workers} is more than --threads {options.Matting.Threads}: each worker takes at least one thread; give at most {options.Matting.Threads} workers, or more threads");
        if (workers > MaxWorkers)
            throw new UsageException($"--workers must be a whole number from 1 to {MaxWorkers} (the cores present), got {workers}");
        // The threads asked for (or every core) split among the workers, so that together they use no more.
        int threads = options.Matting.Threads > 0 ? options.Matting.Threads : ConvertLimits.MaxThreads;
        options = options with { Matting = options.Matting with { Threads = Math.Max(1, threads / workers) } };
        string first = options.OutputComposition ?? options.OutputAlpha ?? options.OutputForeground ?? options.OutputSegmentation
            ?? throw new InvalidOperationException("ConvertOptions.Validate requires an output");
        string full = Path.GetFullPath(first.TrimEnd('/', Path.DirectorySeparatorChar));
        // Named within a file name's 255 bytes (its segments folder fits its own name to it): a 240-byte output name,
        // legal itself, made the plan's too long to write.
        string planPath = Path.Combine(ParentFolder.Of(full),
            $".{PartialOutputs.FittedName(Path.GetFileName(full), System.Text.Encoding.UTF8.GetByteCount($"..{PlanSuffix}.json"))}.{PlanSuffix}.json");
        // The same command again reuses its plan (and so its finished chunks); another command plans afresh.
        // Chunks of a quarter of each worker's share unless given: a slow chunk then holds up less of the end.
        var plan = PlanCommand.Make(options, chunkFrames ?? int.MaxValue, warmup, planPath, cancel);
        plan = plan.WithChunkFrames(chunkFrames ?? Math.Max(1, (int)Math.Ceiling(plan.Frames / (4.0 * workers))));
        if (Earlier(planPath) is { } earlier && plan.IsThisWith(earlier, options.Subject))
        {
            plan = earlier; // with its person pass, if it has one: done once
        }
        else
        {
            // Another command's plan (or a damaged one): its segments are of no use; removed by the names plans make.
            SegmentsFolder.Remove(plan.Segments);
            plan = PlanCommand.WithSubjectPass(plan, options, quiet, cancel);
            plan.Save();
        }
        var todo = new Queue<PlanChunk>(plan.Chunks.Where(c => !plan.IsDone(c)));
        if (!quiet) Console.Error.WriteLine($"mattekit: {plan.Frames} frames in {plan.ChunksSaid}, {todo.Count} to do, {workers} workers");
        var running = new List<(Process Process, PlanChunk Chunk)>();
        string? failure = null;
        try
        {
            // After a failure nothing more is started: wait for the running chunks, then say so.
            while (((failure is null && todo.Count > 0) || running.Count > 0) && !cancel.IsCancellationRequested)
            {
                while (failure is null && running.Count < workers && todo.TryDequeue(out var chunk)) running.Add((Start(plan, chunk), chunk));
                Thread.Sleep(50);
                foreach (var (process, chunk) in running.Where(r => r.Process.HasExited).ToList())
                {
                    running.Remove((process, chunk));
                    if (process.ExitCode != 0)
                        failure ??= $"chunk {chunk.Index} failed (exit {process.ExitCode}): {process.StandardError.ReadToEnd().Trim()}";
                    process.Dispose();
                }
            }
        }
        finally
        {
            foreach (var (process, _) in running)
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
                process.Dispose();
            }
        }
        cancel.ThrowIfCancellationRequested();
        if (failure is not null)
            throw new MediaFormatException(options.Input, $"{failure}; the same command again finishes the missing chunks");
        PlanJoiner.Join(plan, cancel);
        File.Delete(planPath);
        // The join's record too: without its plan it says nothing.
        SegmentsFolder.Remove(plan.Segments);
        if (!quiet) Console.WriteLine($"{plan.Frames} frame(s) in {plan.Chunks.Count} chunk(s) by {workers} workers: {string.Join(", ", plan.Outputs.Select(o => o.Path))}");
        return 0;
    }

    private static Process Start(ConversionPlan plan, PlanChunk chunk)
    {
        var self = SelfCommand.Words();
        var psi = new ProcessStartInfo(self[0]) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in self.Skip(1).Concat(new[] { "chunk", plan.PlanPath, "--index", chunk.Index.ToString(System.Globalization.CultureInfo.InvariantCulture), "--quiet" }))
            psi.ArgumentList.Add(a);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("a worker did not start");
        process.StandardOutput.ReadToEndAsync();
        return process;
    }

    /// <summary>The plan an earlier run left at <paramref name="planPath"/>; null when none, or one that does not read as a plan.</summary>
    private static ConversionPlan? Earlier(string planPath)
    {
        if (!File.Exists(planPath)) return null;
        try
        {
            return ConversionPlan.Load(planPath);
        }
        catch (MediaFormatException)
        {
            return null;
        }
    }
}
