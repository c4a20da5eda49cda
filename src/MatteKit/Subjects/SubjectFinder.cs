using MatteKit.Inference;

namespace MatteKit.Subjects;

/// <summary>
/// The pass before the main one when the choice is read in a later frame (<see cref="SubjectChoice.FrameIndex"/>):
/// follows everyone from the first frame to the one the choice is read in, and names the person chosen there by the
/// tracker's id. The main pass follows the same frames the same way (the tracker is deterministic), so it keeps that
/// person from the first frame they are followed in, before the frame the user pointed at; and someone who walks in at
/// a side is kept in the frames before MoveNet saw them (<see cref="SubjectEntry"/>). For a file, the pass runs even for
/// a choice of the first frame: it costs one frame's detection there, and tells whether the person walked in.
/// </summary>
internal static class SubjectFinder
{
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
        int frames = 0;
        while (read(slot))
        {
            cancel.ThrowIfCancellationRequested();
            if (tracker is null)
            {
                SubjectChoiceCheck.Fits(choice, slot.Width, slot.Height);
                tracker = new SubjectTracker(choice, slot.Width, slot.Height);
            }
            var (state, people) = tracker.Observe(detector, slot.Rgb.AsSpan(0, slot.Pixels * 3), slot.Width, slot.Height);
            SubjectChoiceCheck.AfterFrame(choice, tracker, people, state.Frame, state.Frame);
            if (tracker.Subject is { } subject) return choice.Tracked(subject.Id, SubjectEntry.Of(subject, slot.Width));
            frames++;
        }
        throw new SubjectChoiceException(frames <= choice.FrameIndex
            ? $"SubjectFrame {choice.FrameIndex}: the input has {frames} frame(s) (0 to {frames - 1}); give a frame inside it"
            : $"Subject {choice}: nobody was found from frame {choice.FrameIndex} to the input's end (frame {frames - 1})");
    }
}
