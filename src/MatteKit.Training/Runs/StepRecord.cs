namespace MatteKit.Training.Runs;

/// <summary>One training step's losses (official term names; <c>hr_*</c> for the high-resolution pass, <c>seg</c>).</summary>
internal sealed record StepRecord(long Step, double Seconds, Dictionary<string, double> Losses);

/// <summary>Validation scores at one step, averaged over the clips (MatteKit's metrics, the paper's units).</summary>
internal sealed record ValidationRecord(long Step, double Mad, double Mse, double Grad, double DtSsd);
