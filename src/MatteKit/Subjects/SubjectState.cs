namespace MatteKit.Subjects;

/// <summary>
/// The tracker's result for one frame: its status; unless searching or lost, the subject's region box and track
/// (<see cref="Detection"/> is the detection matched this frame, null when coasting); and the other people seen or
/// coasting, whose pixels the subject's matte must not take.
/// </summary>
internal sealed record SubjectState(SubjectStatus Status, PersonBox? Region, PersonDetection? Detection, int Frame,
    PersonTrack? Subject, IReadOnlyList<PersonTrack> Others);
