using System.Globalization;
using MatteKit.Media;
using MatteKit.Media.Ffmpeg;

namespace MatteKit.Chunking;

/// <summary>
/// <c>mattekit join plan.json</c>: checks every chunk's segments (marker, and each video segment's frames counted),
/// then writes each output under a temporary name: videos by stream copy through ffmpeg's concat demuxer (every
/// segment was encoded with the same settings) with the input's audio muxed once, folders of PNGs by moving the
/// frames (already numbered by their index in the input) into one folder. Only when every output is complete are
/// they renamed into place, and the segments removed.
/// </summary>
public static class PlanJoiner
{
    private static readonly TimeSpan CountTimeout = TimeSpan.FromMinutes(10);

    /// <exception cref="MediaFormatException">A chunk is not done or a segment is short, the input changed, or ffmpeg failed; nothing is written.</exception>
    public static void Join(ConversionPlan plan, CancellationToken cancel = default)
    {
        plan.CheckInput();
        var missing = plan.Chunks.Where(c => !plan.IsDone(c)).Select(c => c.Index).ToList();
        if (missing.Count > 0)
            throw new MediaFormatException(plan.PlanPath, $"{missing.Count} chunk(s) not done ({Describe(missing)}): run mattekit chunk {plan.PlanPath} --index K for them first");
        foreach (var output in plan.Outputs.Where(o => !o.IsFolder))
            foreach (var chunk in plan.Chunks)
            {
                string segment = plan.SegmentPath(output, chunk);
                long frames = MediaProbe.CountVideoPackets(segment, CountTimeout, cancel);
                if (frames != chunk.Count)
                    throw new MediaFormatException(segment, $"holds {frames} frame(s) where chunk {chunk.Index} has {chunk.Count}; run its chunk again (delete {plan.MarkerPath(chunk)})");
            }

        // The input's audio codec decides copy or re-encode per container; probed once for every video output.
        string? audioCodec = plan.HasAudio && !plan.Options.NoAudio && plan.Outputs.Any(o => !o.IsFolder)
            ? MediaProbe.Probe(plan.Input, cancel: cancel).AudioCodec : null;
        var files = new List<OutputFile>();
        var folders = new List<(OutputFolder Folder, List<(string From, string To)> Moved)>();
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
                var moved = new List<(string, string)>();
                folders.Add((folder, moved));
                foreach (var chunk in plan.Chunks)
                    foreach (var frame in Directory.EnumerateFiles(plan.SegmentPath(output, chunk)))
                    {
                        string to = folder.FilePath(Path.GetFileName(frame));
                        File.Move(frame, to);
                        moved.Add((frame, to));
                    }
                if (moved.Count != plan.Frames)
                    throw new MediaFormatException(output.Path, $"joined to {moved.Count} frame(s) where the input has {plan.Frames}");
            }
            foreach (var file in files) file.Commit();
            foreach (var (folder, _) in folders) folder.Commit();
            folders.Clear();
        }
        catch
        {
            // Frames moved out of their segments go back, so that a join tried again finds them.
            foreach (var (_, moved) in folders)
                foreach (var (from, to) in moved)
                    if (File.Exists(to)) File.Move(to, from);
            throw;
        }
        finally
        {
            foreach (var file in files) file.Dispose();
            foreach (var (folder, _) in folders) folder.Dispose();
        }
        Directory.Delete(plan.Segments, recursive: true);
    }

    /// <param name="audioCodec">The input's audio codec; null = no audio to mux.</param>
    private static void Concatenate(ConversionPlan plan, PlannedOutput output, string target, string? audioCodec, CancellationToken cancel)
    {
        var container = VideoContainer.ForPath(output.Path)!;
        string list = Path.Combine(plan.Segments, $".join-{output.Role}-{Guid.NewGuid():N}.txt");
        File.WriteAllLines(list, plan.Chunks.Select(c => $"file '{plan.SegmentPath(output, c).Replace("'", "'\\''", StringComparison.Ordinal)}'"));
        try
        {
            bool audio = audioCodec is not null && container.SupportsAudio;
            var args = new List<string> { "-hide_banner", "-nostats", "-v", "error", "-nostdin", "-y", "-f", "concat", "-safe", "0", "-i", list };
            if (audio) args.AddRange(new[] { "-i", plan.Input });
            args.AddRange(new[] { "-map", "0:v:0" });
            if (audio) args.AddRange(new[] { "-map", "1:a:0" });
            args.AddRange(new[] { "-c:v", "copy" });
            if (audio) args.AddRange(container.AudioArguments(audioCodec));
            args.AddRange(new[] { "-f", container.Muxer, target });
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
