using MatteKit.Media;

namespace MatteKit.Training.Runs;

/// <summary>
/// The checkpoint an earlier run left beside --out (NAME.ckpt). A run writes its own checkpoint there at its end or
/// on a signal, replacing that file: the steps of the run it could continue would be lost without a word. So a run
/// that does not resume from that very file (or from the rescue checkpoint a run of the same --out saved elsewhere)
/// is refused while it is there; the user resumes it, removes it, or writes elsewhere.
/// </summary>
internal static class EarlierCheckpoint
{
    /// <exception cref="ArgumentException">A checkpoint that this run would replace is there (a usage error).</exception>
    public static void Check(TrainOptions options)
    {
        var path = options.CheckpointPath;
        // Any file there counts: the save replaces whatever that name holds.
        if (!File.Exists(path)) return;
        // A link (a dangling one too) or a FIFO is no checkpoint --resume reads, nor one the save may replace: the
        // advice below sent the user to --resume, which refused it, and a dangling link back here (hostile pass).
        // Said as the preflight says it of every output.
        if (OutputFile.NotReplaceable(path) is { } problem) throw new ArgumentException($"the checkpoint {path}: {problem}");
        if (options.Resume is { } resume && FileIdentity.Same(resume, path)) return;
        // The checkpoint a run of this --out saved elsewhere when it could not write here (the run told the user to
        // resume it): newer than the one here, which it goes on from.
        if (options.Resume is { } rescue && AbandonedCheckpointWrites.IsRescueOf(rescue, options.Output)) return;
        throw new ArgumentException(
            $"{path}: a checkpoint of an earlier run is there and this run would replace it; " +
            $"continue that run with --resume {path}, or remove the file or choose another --out");
    }

    /// <summary>
    /// The summary line of a resumed run whose checkpoint records best validated weights (at <paramref name="bestStep"/>,
    /// -1 for none) that --out does not hold: --out is not there, or the checkpoint is not its own (beside it, or its
    /// rescue). Such a run starts its best over, so that its next validation writes --out instead of the run ending
    /// with none. Null when --out holds them (or there are none).
    /// </summary>
    public static string? BestStartsOver(TrainOptions options, long bestStep)
    {
        if (bestStep < 0 || options.Resume is not { } resume) return null;
        bool holds = File.Exists(options.Output)
                     && (FileIdentity.Same(resume, options.CheckpointPath) || AbandonedCheckpointWrites.IsRescueOf(resume, options.Output));
        return holds ? null : $"{options.Output} does not hold the checkpoint's best validated weights (step {bestStep}): the best starts over, so the next validation writes it";
    }
}
