using MatteKit.Conversion;
using MatteKit.Media;

namespace MatteKit.Chunking;

/// <summary>
/// <c>mattekit chunk plan.json --index K</c>: converts chunk K (its warm-up first, outputs discarded) into its own
/// segment files. Idempotent: a chunk whose marker names this plan and whose segments hold its frames is not redone;
/// one whose segments are missing, short or left by another plan is. Each attempt writes into a folder of its own
/// and moves the finished segments into place, then writes the marker; two workers on the same index (a requeued
/// job whose first run went on) both leave a correct segment, one of them kept.
/// </summary>
internal static class ChunkRunner
{
    /// <returns>False when the chunk was already done (nothing converted).</returns>
    /// <exception cref="ArgumentException">The index is out of range.</exception>
    /// <exception cref="MediaFormatException">The input changed since planning, or converting failed.</exception>
    public static bool Run(ConversionPlan plan, int index, IProgress<ConvertProgress>? progress = null, CancellationToken cancel = default)
    {
        var chunk = plan.Chunk(index);
        plan.CheckInput();
        if (plan.SegmentProblem(chunk, countVideoFrames: true, cancel) is null) return false;
        Directory.CreateDirectory(plan.Segments);
        // Whatever marker is there (another plan's, or over damaged segments) no longer holds.
        File.Delete(plan.MarkerPath(chunk));
        var attempt = Directory.CreateDirectory(Path.Combine(plan.Segments, SegmentsFolder.Attempt(chunk.Index)));
        try
        {
            string Local(PlannedOutput o) => Path.Combine(attempt.FullName, o.Role + o.Extension);
            var options = plan.ChunkOptions(Local) with
            {
                Frames = new FrameRange(chunk.Start, chunk.End),
                Warmup = plan.Warmup,
                WarmupOrder = plan.WarmupOrder,
                NoAudio = true, // the join muxes the input's audio once, over the whole length
            };
            var summary = Converter.Run(options, progress, cancel);
            if (summary.Frames != chunk.Count)
                throw new MediaFormatException(plan.Input, $"chunk {chunk.Index} gave {summary.Frames} frame(s) where the plan counts {chunk.Count}; plan again");
            foreach (var output in plan.Outputs) Place(plan, chunk, Local(output), plan.SegmentPath(output, chunk), output.IsFolder, attempt.FullName);
            OutputFile.WriteAllText(plan.MarkerPath(chunk), plan.MarkerText(chunk));
            return true;
        }
        finally
        {
            try
            {
                attempt.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    // A rename within the segments folder: atomic. Where another worker on this chunk put its segment first (its
    // marker for this plan is there), theirs is kept: both were made from the same frames with the same options.
    // A folder segment without that marker is stale (another plan's, or damaged): moved into this attempt's folder,
    // which is removed with it.
    private static void Place(ConversionPlan plan, PlanChunk chunk, string from, string to, bool folder, string attempt)
    {
        if (!folder)
        {
            File.Move(from, to, overwrite: true);
            return;
        }
        for (int tries = 0; ; tries++)
        {
            if (Directory.Exists(to) && plan.IsDone(chunk)) return;
            try
            {
                if (Directory.Exists(to)) Directory.Move(to, Path.Combine(attempt, $"stale-{Guid.NewGuid():N}"));
                Directory.Move(from, to);
                return;
            }
            catch (IOException) when (tries < 5)
            {
                // Another worker moved the stale folder or placed its own meanwhile: look again.
            }
        }
    }
}
