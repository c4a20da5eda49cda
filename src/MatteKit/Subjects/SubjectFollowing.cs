using MatteKit.Inference;

namespace MatteKit.Subjects;

/// <summary>
/// Whom a <see cref="SubjectFrameMatter"/> keeps and how far it has followed them, shared by the runners opened from
/// one another (a change of ratio keeps the person), and changed between frames when a live session's page chooses
/// someone else (<see cref="Choose"/>).
/// </summary>
internal sealed class SubjectFollowing
{
    public SubjectFollowing(SubjectChoice? choice, bool strict)
    {
        Choice = choice;
        Strict = strict;
    }

    /// <summary>The person to keep; null = everyone (the frames pass through).</summary>
    public SubjectChoice? Choice { get; private set; }

    /// <summary>Null until the first frame after a choice; then the tracker of that person.</summary>
    public SubjectTracker? Tracker { get; private set; }

    /// <summary>What is remembered of the people's masks while following them; set with <see cref="Tracker"/>.</summary>
    public SubjectOwnership? Ownership { get; private set; }

    /// <summary>Starts following <see cref="Choice"/> in frames of this size.</summary>
    public SubjectTracker Start(SubjectChoice choice, int width, int height)
    {
        Ownership = new SubjectOwnership();
        return Tracker = new SubjectTracker(choice, width, height);
    }

    /// <summary>
    /// A choice nobody in its first frame matches is an error (the command line's: the user named someone who is not
    /// there). A choice made on the page is not: it waits for someone to stand at the point.
    /// </summary>
    public bool Strict { get; private set; }

    /// <summary>
    /// Follows the people into this frame (the next of the input) and writes what of it is the chosen person's into
    /// <paramref name="keep"/>: the one step of the person pass, whether alpha is kept at once (one pass) or stored for
    /// a plan's chunks. Starts following at the first frame after a choice.
    /// </summary>
    public void Keep(PersonDetector detector, PersonSegmenter segmenter, FrameSlot slot, SubjectKeep keep)
    {
        if (Choice is not { } choice) throw new InvalidOperationException("nobody is chosen: every pixel is kept");
        var tracker = Tracker ?? Start(choice, slot.Width, slot.Height);
        // A choice made on the page is not checked: it waits for someone to stand at the point.
        var state = tracker.Follow(detector, slot, check: Strict);
        Ownership!.Keep(segmenter, state, tracker.People, slot.Rgb.AsSpan(0, slot.Pixels * 3), slot.Width, slot.Height, keep);
        if (Ownership.LastHidden) tracker.Hidden(state.Frame);
    }

    /// <summary>
    /// The line for a command-line choice read in a frame the stream never reached (null otherwise): a live run learns
    /// it only when the stream ends, and says it as convert does, as the option's error.
    /// </summary>
    public string? NeverReached()
    {
        int frames = Tracker?.NextFrame ?? 0;
        return Strict && Choice is { } choice && frames >= 1 && NeverCame(choice, frames) ? SubjectFinder.PastTheEnd(choice, frames) : null;
    }

    /// <summary>Whether nobody was chosen because the frame the choice is read in was past the <paramref name="frames"/> followed.</summary>
    private bool NeverCame(SubjectChoice choice, int frames) => Tracker?.FirstSeen is null && frames <= choice.FrameIndex;

    /// <summary>Where the subject was followed, lost and hidden over <paramref name="frames"/> frames (a summary line's part); null = everyone.</summary>
    public string? Describe(int frames)
    {
        if (Choice is not { } choice) return null;
        var t = Tracker;
        return t?.FirstSeen is not { } first
            ? NeverCame(choice, frames)
                ? $"subject ({choice}): frame {choice.FrameIndex}, which the choice is read in, never came ({frames} frame(s) matted); alpha is 0 throughout"
                : $"subject ({choice}): nobody found in {frames} frame(s); alpha is 0 throughout"
            : $"subject ({choice}): chosen at frame {first}; tracked {t.TrackedFrames}, coasting {t.CoastedFrames}, lost {t.LostFrames} frame(s)" +
              (t.LostSpans.Count > 0 ? $" (alpha 0 at frames {Spans(t.LostSpans, t.LostFrames)})" : "") +
              (t.HiddenSpans.Count > 0 ? $"; hidden behind someone in {t.HiddenFrames} frame(s): {Spans(t.HiddenSpans, t.HiddenFrames)}" : "");
    }

    /// <summary>The spans kept, and "and more" when the frames they hold are fewer than <paramref name="frames"/>.</summary>
    private static string Spans(IReadOnlyList<(int First, int Last)> spans, int frames)
        => string.Join(", ", spans.Select(s => s.First == s.Last ? $"{s.First}" : $"{s.First}-{s.Last}")) +
           (spans.Sum(s => s.Last - s.First + 1) < frames ? ", and more" : "");

    /// <summary>From the next frame on (called between frames): <paramref name="choice"/>, followed afresh; null = everyone.</summary>
    public void Choose(SubjectChoice? choice)
    {
        Choice = choice;
        Tracker = null;
        Ownership = null;
        Strict = false;
    }
}
