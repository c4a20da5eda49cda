using System.Text.RegularExpressions;
using MatteKit.Media;

namespace MatteKit.Training.Runs;

/// <summary>
/// The temporaries a checkpoint writer killed mid-save (<c>kill -9</c>, a power cut) left: a checkpoint is written
/// under a hidden temporary name beside it (<c>.NAME.partial-PID-GUID.ckpt</c>, <see cref="OutputFile"/>) and renamed
/// when complete; a writer that never got to rename leaves tens of megabytes behind. The next save to the same name
/// removes them, but a run that resumes into another --out never saves there again, and the rescue checkpoints in
/// the temporary and working folders (<c>NAME-stepN-PID.ckpt</c>, named by the trainers when --out's folder fails) are
/// never written twice. So a run removes, at its start, those of its own checkpoint, of the --resume checkpoint and of
/// its rescue names; only temporaries of processes that are gone, as <see cref="PartialOutputs.RemoveAbandoned"/> decides.
/// </summary>
internal static class AbandonedCheckpointWrites
{
    private const string Extension = ".ckpt";

    public static void Remove(TrainOptions options)
    {
        foreach (var checkpoint in new[] { options.CheckpointPath, options.Resume }.OfType<string>())
        {
            var full = Path.GetFullPath(checkpoint);
            if (Path.GetExtension(full).Equals(Extension, StringComparison.Ordinal))
                PartialOutputs.RemoveAbandoned(ParentFolder.Of(full), Path.GetFileNameWithoutExtension(full), Extension, isFolder: false);
        }
        foreach (var folder in RescueFolders)
            PartialOutputs.RemoveAbandonedMatching(folder, RescueStem(options.Output), Extension, isFolder: false);
    }

    /// <summary>
    /// Removes the rescue checkpoint this run resumed from, once the run's own checkpoint is saved at
    /// <paramref name="saved"/>: that one goes on from it, so the rescue holds nothing more, and left there each run of a
    /// lineage that could not write beside --out added another of tens of megabytes to $TMPDIR (hostile pass). Any
    /// other rescue is kept: a run that did not resume it has not carried its steps on. Returns the path removed, or null.
    /// </summary>
    public static string? RemoveResumedRescue(TrainOptions options, string saved)
    {
        if (options.Resume is not { } rescue || !IsRescueOf(rescue, options.Output) || FileIdentity.Same(rescue, saved)) return null;
        try
        {
            // Only once the checkpoint that carries it on is on the disk, not only in the page cache: after a power cut
            // or a lost node just then, the new file could be empty while the rescue's removal was already journaled.
            // (FileStream flushes to the disk only through a handle that may write; opening one changes nothing.)
            using (var written = new FileStream(saved, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite)) written.Flush(flushToDisk: true);
            File.Delete(rescue);
            return rescue;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the user; the checkpoint just saved is what matters.
            return null;
        }
    }

    /// <summary>Where Trainer and BgmTrainer save a checkpoint that cannot be written beside --out.</summary>
    private static IEnumerable<string> RescueFolders => new[] { Path.GetTempPath(), Environment.CurrentDirectory }.Distinct();

    /// <summary>The rescue name Trainer and BgmTrainer give a checkpoint that cannot be written beside --out, less its extension, as a pattern.</summary>
    public static string RescueStem(string output) => $"{Regex.Escape(Path.GetFileNameWithoutExtension(output))}-step\\d+-\\d+";

    /// <summary>
    /// Whether <paramref name="checkpoint"/> is a rescue checkpoint of a run writing <paramref name="output"/>: named as
    /// one, in a folder rescue checkpoints are saved in ($TMPDIR or the working folder; a file of that name elsewhere
    /// is any other checkpoint).
    /// </summary>
    public static bool IsRescueOf(string checkpoint, string output)
        => Regex.IsMatch(Path.GetFileName(checkpoint), $"^{RescueStem(output)}{Regex.Escape(Extension)}$")
           && RescueFolders.Any(folder => FileIdentity.Same(folder, ParentFolder.Of(Path.GetFullPath(checkpoint))));
}
