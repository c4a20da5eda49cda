using MatteKit.Media;

namespace MatteKit.Training.Runs;

/// <summary>
/// Checks, before the data loads, that every file training will write can be written: --out, the checkpoint
/// beside it and --report each name a file (not a folder) in an existing folder that takes a new file (one is
/// created and removed there), and each folder has room for what goes into it. Without this a missing folder or
/// a full disk is found only after the whole budget.
/// </summary>
internal static class OutputPreflight
{
    /// <summary>
    /// JSON of one step's losses in the checkpoint's history: about 200 bytes measured for finetune's six terms; the
    /// high-resolution pass and segmentation add seven more, so 700 is above any preset.
    /// </summary>
    internal const long HistoryBytesPerStep = 700;

    /// <summary>A BGMv2 step's total loss with its step (<c>{"Step":N,"Total":X},</c>): at most 64 bytes.</summary>
    private const long TotalLossBytesPerStep = 64;

    /// <summary>A validation's record (step and four scores): at most 128 bytes.</summary>
    private const long ValidationBytes = 128;

    /// <summary>The report's pictures (a validation frame of at most 512 px, four times) and page, above its curves.</summary>
    private const long ReportBaseBytes = 4 << 20;

    /// <summary>A --minutes budget's steps are not known: counted at 10 steps a second, faster than any CPU step here.</summary>
    private const double StepsPerSecondBound = 10;

    /// <param name="stateBytes">The network's tensors: --out holds them once, the checkpoint thrice (with Adam's two moments).</param>
    /// <param name="checkpoint">Whether the run writes a checkpoint (BGMv2's base stage does not).</param>
    public static void Check(TrainOptions options, long stateBytes, bool checkpoint = true)
    {
        var outputs = Writes(options, stateBytes, checkpoint);
        foreach (var (option, path, _, _) in outputs)
        {
            var full = Path.GetFullPath(path);
            // A folder, a link (to a file or a folder), FIFO, device or socket would be replaced by a plain file: a
            // usage error (exit 2) naming the option, as every command says it.
            if (OutputFile.NotReplaceable(full) is { } problem) throw new CommandLine.UsageException($"{option} {path}: {problem}");
            // Creates and removes a temporary file beside it: a missing folder, a read-only one and one that takes
            // no new files fail here, in the words OutputFile uses.
            using (new OutputFile(full)) { }
        }
        foreach (var folder in outputs.GroupBy(o => ParentFolder.Of(o.Path)))
        {
            var writes = folder.ToList();
            long needed = SpaceNeeded(writes);
            long free = new DriveInfo(folder.Key).AvailableFreeSpace;
            if (free < needed)
            {
                // Only for the line: each ExtraCopy looks at what is at the path.
                var copied = writes.MaxBy(ExtraCopy);
                long extra = ExtraCopy(copied);
                string copy = extra > 0 ? $", and {Megabytes(extra)} for a new copy of {copied.Option} beside the old while it replaces it" : "";
                throw new MediaFormatException(folder.Key,
                    $"{Megabytes(free)} free, but training writes about {Megabytes(needed)} here ({string.Join(", ", writes.Select(o => $"{o.Option} {Megabytes(SpaceKept(o))}"))}{copy}): free some space or write elsewhere");
            }
        }
    }

    /// <summary>The files the run writes, each with its largest size.</summary>
    internal static List<PlannedWrite> Writes(TrainOptions options, long stateBytes, bool checkpoint)
    {
        long steps = options.Steps ?? (long)Math.Ceiling((options.Minutes ?? throw new InvalidOperationException("Validate requires --minutes or --steps")) * 60 * StepsPerSecondBound);
        // The step records, BGMv2's totals (a list a stage) and the validations are each kept to StepHistory.MaxRecords.
        long validations = options.Valid is null ? 0 : steps / options.ValidEvery + 3;
        long history = Math.Min(steps, StepHistory.MaxRecords) * HistoryBytesPerStep + Math.Min(steps, 2L * StepHistory.MaxRecords) * TotalLossBytesPerStep
                       + Math.Min(validations, StepHistory.MaxRecords) * ValidationBytes;
        // With validation, each validation that beats the best writes --out and the checkpoint again; without, both
        // are written once, at the end (or on a signal).
        bool validated = options.Valid is not null;
        var outputs = new List<PlannedWrite> { new("--out", options.Output, stateBytes + (1 << 20), validated) };
        if (checkpoint) outputs.Add(new("the checkpoint", options.CheckpointPath, 3 * stateBytes + history + (1 << 20), validated));
        if (options.Report is not null) outputs.Add(new("--report", options.Report, ReportBaseBytes + history, false));
        return outputs;
    }

    /// <summary>
    /// The free space the files of one folder take from it at their peak. A file is written under a temporary name
    /// beside the one it replaces, which goes only at the rename, so for a moment two copies are there (counted once,
    /// a validated run on a disk with room for one copy failed every checkpoint write after its first). The files
    /// are written one after another, never two at once: the peak is every file at its largest
    /// (<see cref="SpaceKept"/>) and one new copy, the largest (<see cref="ExtraCopy"/>). Counting each file's
    /// second copy asked about 120 MB for RVM MobileNetV3's --out and checkpoint with --valid where about 104 MB (measured) is the peak.
    /// </summary>
    internal static long SpaceNeeded(IReadOnlyCollection<PlannedWrite> folder) =>
        folder.Sum(SpaceKept) + (folder.Count == 0 ? 0 : folder.Max(ExtraCopy));

    /// <summary>
    /// What <paramref name="write"/> adds to its folder once written: its size less what is already at its path, which
    /// holds its space already (a resumed run's checkpoint).
    /// </summary>
    internal static long SpaceKept(PlannedWrite write) => Math.Max(0, write.Bytes - SizeThere(write.Path));

    /// <summary>
    /// The space above <see cref="SpaceKept"/> that <paramref name="write"/> holds while its new copy is written beside
    /// the old: a whole copy for a file written more than once (the old is itself a full copy from the second write
    /// on); for a file written once, the file already at its path, up to the new copy's size; nothing when none is there.
    /// </summary>
    internal static long ExtraCopy(PlannedWrite write) => write.Rewritten ? write.Bytes : Math.Min(write.Bytes, SizeThere(write.Path));

    private static long SizeThere(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    private static string Megabytes(long bytes) => $"{Math.Ceiling(bytes / 1048576.0):F0} MB";
}
