namespace MatteKit.Training.Runs;

/// <summary>
/// One file a training run writes, as <see cref="OutputPreflight"/> counts it: the option that names it, its path, its
/// size at most, and whether the run writes it more than once (--out and the checkpoint at every validation that
/// beats the best).
/// </summary>
internal readonly record struct PlannedWrite(string Option, string Path, long Bytes, bool Rewritten);
