namespace MatteKit.Metrics;

/// <summary>
/// The scores of a set of clips and their mean: the mean over clips of each clip's mean. (The official scripts'
/// spreadsheet averages per frame index over clips, then over frame indices; for clips of equal length, as in the
/// RVM test sets, both are the mean over all frames.)
/// </summary>
internal sealed record DatasetScores(IReadOnlyList<ClipScores> Clips, MetricValues Mean)
{
    public static DatasetScores FromClips(IReadOnlyList<ClipScores> clips)
        => new(clips, MetricValues.Mean(clips.Select(c => c.Mean).ToList()));
}
