using MatteKit.Conversion;
using MatteKit.Media;

namespace MatteKit.Chunking;

/// <summary>
/// <c>mattekit chunk plan.json --index K</c>: converts chunk K (its warm-up first, outputs discarded) into its own
/// segment files. Idempotent: a chunk whose marker and segments exist is not redone. Each attempt writes into a
/// folder of its own and moves the finished segments into place, then writes the marker; two workers on the same
/// index (a requeued job whose first run went on) both leave a correct segment, one of them kept.
/// </summary>
public static class ChunkRunner
{
    /// <returns>False when the chunk was already done (nothing converted).</returns>
    /// <exception cref="ArgumentException">The index is out of range.</exception>
    /// <exception cref="MediaFormatException">The input changed since planning, or converting failed.</exception>
    public static bool Run(ConversionPlan plan, int index, IProgress<ConvertProgress>? progress = null, CancellationToken cancel = default)
    {
        var chunk = plan.Chunk(index);
        plan.CheckInput();
        if (plan.IsDone(chunk)) return false;
        Directory.CreateDirectory(plan.Segments);
        var attempt = Directory.CreateDirectory(Path.Combine(plan.Segments, $".attempt-{chunk.Index:D5}-{Environment.ProcessId}-{Guid.NewGuid():N}"));
        try
        {
            var options = plan.Options.ToConvertOptions(plan.Input) with
            {
                Frames = new FrameRange(chunk.Start, chunk.End),
                Warmup = plan.Warmup,
                WarmupOrder = plan.WarmupOrder,
                NoAudio = true, // the join muxes the input's audio once, over the whole length
            };
            string Local(PlannedOutput o) => Path.Combine(attempt.FullName, o.Role + o.Extension);
            foreach (var output in plan.Outputs)
                options = output.Role switch
                {
                    "alpha" => options with { OutputAlpha = Local(output) },
                    "foreground" => options with { OutputForeground = Local(output) },
                    "composition" => options with { OutputComposition = Local(output) },
                    "segmentation" => options with { OutputSegmentation = Local(output) },
                    _ => throw new MediaFormatException(plan.PlanPath, $"names an output role '{output.Role}' this version does not know"),
                };
            var summary = Converter.Run(options, progress, cancel);
            if (summary.Frames != chunk.Count)
                throw new MediaFormatException(plan.Input, $"chunk {chunk.Index} gave {summary.Frames} frame(s) where the plan counts {chunk.Count}; plan again");
            foreach (var output in plan.Outputs) Place(Local(output), plan.SegmentPath(output, chunk), output.IsFolder);
            OutputFile.WriteAllText(plan.MarkerPath(chunk),
                $"{{\"index\": {chunk.Index}, \"start\": {chunk.Start}, \"end\": {chunk.End}, \"frames\": {summary.Frames}, \"host\": \"{Environment.MachineName}\"}}\n");
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

    // A rename within the segments folder: atomic. Where another worker put its segment first, theirs is kept (both
    // were made from the same frames with the same options).
    private static void Place(string from, string to, bool folder)
    {
        if (!folder)
        {
            File.Move(from, to, overwrite: true);
            return;
        }
        if (Directory.Exists(to)) return;
        try
        {
            Directory.Move(from, to);
        }
        catch (IOException) when (Directory.Exists(to))
        {
        }
    }
}
