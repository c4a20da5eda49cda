namespace MatteKit.Training.Runs;

/// <summary>A BGMv2 step's total loss, with its step: the records are thinned past <see cref="StepHistory.MaxRecords"/>, so their places no longer say their steps.</summary>
internal sealed record StepTotal(long Step, double Total);
