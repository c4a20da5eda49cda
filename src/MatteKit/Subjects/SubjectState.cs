namespace MatteKit.Subjects;

/// <summary>The tracker's result for one frame: its status and, unless searching or lost, the subject's smoothed region box.</summary>
internal sealed record SubjectState(SubjectStatus Status, PersonBox? Region, PersonDetection? Detection, int Frame);
