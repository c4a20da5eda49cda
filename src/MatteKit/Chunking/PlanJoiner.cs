using System.Globalization;
using MatteKit.Media;
using MatteKit.Media.Ffmpeg;

namespace MatteKit.Chunking;

/// <summary>
/// <c>mattekit join plan.json</c>: checks every chunk's segments (marker for this plan, each video segment's frames
/// counted, each folder segment's frames there), then writes each output under a temporary name: videos by stream
/// copy through ffmpeg's concat demuxer (every segment was encoded with the same settings) with the input's audio
/// muxed once, folders of PNGs by linking the frames (already numbered by their index in the input) into one folder,
/// so that the segments stay whole until the end whatever stops the join. Only when every output is complete are
/// they renamed into place, the join recorded with the plan's fingerprint (<see cref="ConversionPlan.IsJoined"/>), and
/// then the segments removed (by the names the plan made, nothing else).
/// </summary>
internal static class PlanJoiner
{
    private static readonly TimeSpan CountTimeout = TimeSpan.FromMinutes(10);

    /// <returns>False when the plan was joined already (<see cref="ConversionPlan.IsJoined"/>): nothing written.</returns>
    /// <exception cref="MediaFormatException">
    /// A chunk is not done or its segments are damaged (named, and their markers removed so that <c>chunk</c> redoes
    /// them), the input changed, or ffmpeg failed; nothing is written.
    /// </exception>
    public static bool Join(ConversionPlan plan, CancellationToken cancel = default)
    {
        plan.CheckInput();
        if (plan.IsJoined())
        {
            // What a join stopped between its record and its clean-up left.
            SegmentsFolder.Remove(plan.Segments, keepJoined: true);
            return false;
        }
        var missing = new List<int>();
        var damaged = new List<(int Index, string Problem)>();
        foreach (var chunk in plan.Chunks)
        {
            if (!File.Exists(plan.MarkerPath(chunk)))
            {
                missing.Add(chunk.Index);
                continue;
            }
            if (plan.SegmentProblem(chunk, countVideoFrames: true, cancel) is not { } problem) continue;
            damaged.Add((chunk.Index, problem));
            File.Delete(plan.MarkerPath(chunk));
        }
        if (missing.Count > 0 || damaged.Count > 0)
        {
            var parts = new List<string>();
            if (missing.Count > 0) parts.Add($"{missing.Count} chunk(s) not done ({Describe(missing)})");
            if (damaged.Count > 0)
                parts.Add($"{damaged.Count} chunk(s) to redo ({Describe(damaged.Select(d => d.Index).ToList())}; {damaged[0].Problem}), their markers removed");
            // Index named as a parameter, so that the command line says "--index K" (it printed "Index K").
            throw new MediaFormatException(plan.PlanPath, $"{string.Join("; ", parts)}: convert those chunks first (Index K of this plan)") { Parameters = ["Index"] };
        }

        // The input's audio codec decides copy or re-encode per container; probed once for every video output.
        string? audioCodec = plan.HasAudio && !plan.Options.NoAudio && plan.Outputs.Any(o => !o.IsFolder)
            ? MediaProbe.Probe(plan.Input, cancel: cancel).AudioCodec : null;
        var files = new List<OutputFile>();
        var folders = new List<OutputFolder>();
        try
        {
            foreach (var output in plan.Outputs.Where(o => !o.IsFolder))
            {
                var file = new OutputFile(output.Path);
                files.Add(file);
                Concatenate(plan, output, file.WorkingPath, audioCodec, cancel);
                long frames = MediaProbe.CountVideoPackets(file.WorkingPath, CountTimeout, cancel);
                if (frames != plan.Frames)
                    throw new MediaFormatException(output.Path, $"joined to {frames} frame(s) where the input has {plan.Frames}");
            }
            foreach (var output in plan.Outputs.Where(o => o.IsFolder))
            {
                var folder = new OutputFolder(output.Path);
                folders.Add(folder);
                int linked = 0;
                foreach (var chunk in plan.Chunks)
                {
                    cancel.ThrowIfCancellationRequested();
                    foreach (var frame in Directory.EnumerateFiles(plan.SegmentPath(output, chunk), "*.png"))
                    {
                        FrameLink.Create(frame, folder.FilePath(Path.GetFileName(frame)));
                        linked++;
                    }
                }
                if (linked != plan.Frames)
                    throw new MediaFormatException(output.Path, $"joined to {linked} frame(s) where the input has {plan.Frames}");
            }
            // The outputs and the record of the join go together: a signal that ends the process at once waits for
            // them, so there is never an output under its final name without the record that says it is joined.
            lock (PartialOutputs.CommitGate)
            {
                cancel.ThrowIfCancellationRequested();
                foreach (var file in files) file.Commit();
                foreach (var folder in folders) folder.Commit();
                plan.RecordJoined();
            }
        }
        finally
        {
            foreach (var file in files) file.Dispose();
            foreach (var folder in folders) folder.Dispose();
        }
        // The record came before the clean-up: a join stopped in between still counts as done, and its next run clears the rest.
        SegmentsFolder.Remove(plan.Segments, keepJoined: true);
        return true;
    }

    /// <param name="plan">The plan whose chunks are joined.</param>
    /// <param name="output">The output whose video segments are concatenated.</param>
    /// <param name="target">Where the joined video goes (a temporary name).</param>
    /// <param name="audioCodec">The input's audio codec; null = no audio to mux.</param>
    /// <param name="cancel">Stops ffmpeg.</param>
    private static void Concatenate(ConversionPlan plan, PlannedOutput output, string target, string? audioCodec, CancellationToken cancel)
    {
        var container = VideoContainer.ForPath(output.Path)
            ?? throw new InvalidOperationException($"{output.Path}: PlanCheck refuses an output with no container");
        string list = Path.Combine(plan.Segments, $".join-{output.Role}-{Guid.NewGuid():N}.txt");
        File.WriteAllLines(list, plan.Chunks.Select(c => $"file '{FfmpegPath.Output(plan.SegmentPath(output, c)).Replace("'", "'\\''", StringComparison.Ordinal)}'"));
        try
        {
            bool audio = audioCodec is not null && container.SupportsAudio;
            var args = new List<string> { "-hide_banner", "-nostats", "-v", "error", "-nostdin", "-y", "-f", "concat", "-safe", "0", "-i", FfmpegPath.Output(list) };
            if (audio) args.AddRange(new[] { "-i", FfmpegPath.Input(plan.Input) });
            args.AddRange(new[] { "-map", "0:v:0" });
            if (audio) args.AddRange(new[] { "-map", "1:a:0" });
            args.AddRange(new[] { "-c:v", "copy" });
            if (audio) args.AddRange(container.AudioArguments(audioCodec));
            args.AddRange(new[] { "-f", container.Muxer, FfmpegPath.Output(target) });
            using var ffmpeg = new FfmpegProcess(FfmpegTools.Ffmpeg, args, writeStdin: false, readStdout: false);
            using (cancel.Register(ffmpeg.Kill))
            {
                if (ffmpeg.WaitForExit() != 0)
                    throw new MediaFormatException(output.Path, $"the segments could not be joined ({ffmpeg.LastError()})");
            }
            cancel.ThrowIfCancellationRequested();
        }
        finally
        {
            File.Delete(list);
        }
    }

    private static string Describe(IReadOnlyList<int> indexes)
        => indexes.Count <= 10 ? string.Join(", ", indexes.Select(i => i.ToString(CultureInfo.InvariantCulture)))
            : string.Join(", ", indexes.Take(10).Select(i => i.ToString(CultureInfo.InvariantCulture))) + $" and {indexes.Count - 10} more";
}
