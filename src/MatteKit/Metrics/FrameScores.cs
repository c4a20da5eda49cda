namespace MatteKit.Metrics;

/// <summary>The scores of one frame of a clip, named by its file name.</summary>
public sealed record FrameScores(string Name, MetricValues Values);
