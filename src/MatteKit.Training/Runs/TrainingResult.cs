namespace MatteKit.Training.Runs;

/// <summary>
/// How a run ended, at which step, where its checkpoint went (beside --out, or a rescue place when that failed;
/// null when nothing took it) and, for a failure, the error naming the file.
/// </summary>
internal sealed record TrainingResult(TrainingEnd End, long Step, string? CheckpointPath, Exception? Failure);
