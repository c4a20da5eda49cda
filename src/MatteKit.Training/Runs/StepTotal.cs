namespace MatteKit.Training.Runs;

/// <summary>A BGMv2 step's total loss, with its step: the records are thinned past <see cref="StepHistory.MaxRecords"/>, so their places no longer say their steps.</summary>
internal sealed record StepTotal(long Step, double Total)
{
    /// <summary>
    /// The step of a bare total read from an older checkpoint until its place numbers it: no step a record can have
    /// (an object without its step reads as 0, which the header's checks refuse).
    /// </summary>
    public const long Unnumbered = -1;
}
