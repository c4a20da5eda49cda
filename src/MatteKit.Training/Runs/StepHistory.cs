namespace MatteKit.Training.Runs;

/// <summary>
/// The per-step records a run keeps for its report and checkpoint (RVM's step losses, BGMv2's step totals, both
/// trainers' validations), bounded: past <see cref="MaxRecords"/> every other record is dropped, the first and the
/// last kept, so older steps thin out while the curves keep their shape. Unbounded, a long run's records outgrew
/// memory and the checkpoint header's limit (about 1.3 million steps of RVM's 200 bytes each passed the 256 MB a
/// checkpoint may hold, and --resume then refused what the run had written).
/// </summary>
internal static class StepHistory
{
    /// <summary>Records kept at most: more points than a report's chart has pixels, a few megabytes in a checkpoint.</summary>
    public const int MaxRecords = 20_000;

    public static void Add<T>(List<T> history, T record)
    {
        history.Add(record);
        Bound(history);
    }

    /// <summary>
    /// Thins <paramref name="history"/> to <see cref="MaxRecords"/> at most: one pass after an <see cref="Add{T}"/>,
    /// several for the longer lists of a checkpoint written before the bound.
    /// </summary>
    public static void Bound<T>(List<T> history)
    {
        while (history.Count > MaxRecords)
        {
            int last = history.Count - 1, kept = 0;
            for (int i = 0; i <= last; i++)
                if (i % 2 == 0 || i == last) history[kept++] = history[i];
            history.RemoveRange(kept, history.Count - kept);
        }
    }
}
