namespace MatteKit.Metrics;

/// <summary>
/// The scores of one clip: per frame, and their mean (every frame counts, dtSSD's 0 for the first frame included,
/// as in the official scripts; foreground metrics average over the frames where they are defined).
/// </summary>
public sealed record ClipScores(string Name, IReadOnlyList<FrameScores> Frames, MetricValues Mean);
