using MatteKit.Inference;

namespace MatteKit.Subjects;

/// <summary>
/// The pass before the main one when the choice is read in a later frame (<see cref="SubjectChoice.FrameIndex"/>):
/// follows everyone from the first frame to the one the choice is read in, and names the person chosen there by the
/// tracker's id. The main pass follows the same frames the same way (the tracker is deterministic), so it keeps that
/// person from the first frame they are followed in, before the frame the user pointed at; and someone who walks in at
/// a side is kept in the frames before MoveNet saw them (<see cref="SubjectEntry"/>). For a file, the pass runs also for
/// largest, center or N of the first frame where anyone is seen: a few frames' detection tells whether that person
/// walked in.
/// </summary>
internal static class SubjectFinder
{
    /// <summary>Frames read past a person's first to learn the motion they came in with.</summary>
    private const int EntryFrames = 8;

    /// <param name="choice">The user's choice, read in its frame.</param>
    /// <param name="read">Fills a slot with the next frame of the input, from the first; false after the last.</param>
    /// <param name="threads">ONNX Runtime threads for the person detector.</param>
    /// <param name="cancel">Stops the pass.</param>
    /// <returns>The same person as a choice of a track, valid for a pass over the same frames.</returns>
    /// <exception cref="SubjectChoiceException">The choice names nobody, or its frame is past the input's end.</exception>
    public static SubjectChoice Find(SubjectChoice choice, Func<FrameSlot, bool> read, int threads, CancellationToken cancel)
    {
        using var detector = PersonDetector.Load(threads);
        SubjectTracker? tracker = null;
        var slot = new FrameSlot();
        int frames = 0, width = 0;
        PersonTrack? found = null;
        int foundAt = 0;
        while (read(slot))
        {
            cancel.ThrowIfCancellationRequested();
            tracker ??= new SubjectTracker(choice, slot.Width, slot.Height);
            var state = tracker.Follow(detector, slot, check: true);
            frames++;
            width = slot.Width;
            if (found is null)
            {
                if (tracker.Subject is not { } subject) continue;
                (found, foundAt) = (subject, state.Frame);
            }
            // Read on until the motion the person came in with is known (a few frames), to tell whether they walked in.
            if (found.EntryVelocity is not null || state.Frame >= found.FirstFrame + EntryFrames) break;
        }
        if (found is not null) return choice.Tracked(found.Id, SubjectEntry.Of(found, width), foundAt);
        throw new SubjectChoiceException(frames == 0 ? $"{SubjectChoiceCheck.Named(choice)}: there are no frames to choose in"
            : frames <= choice.FrameIndex ? PastTheEnd(choice, frames)
            : $"{SubjectChoiceCheck.Named(choice)}: nobody was found from frame {choice.FrameIndex} to the last (frame {frames - 1})");
    }

    /// <summary>
    /// The line for a choice read in a frame the input never reached (<paramref name="frames"/> of them, at least one):
    /// a file's, found by this pass, and a stream's, found when it ends.
    /// </summary>
    public static string PastTheEnd(SubjectChoice choice, int frames)
        => $"{choice.FrameNamed}: {frames} frame(s) were read (0 to {frames - 1}); give a frame among them";
}
