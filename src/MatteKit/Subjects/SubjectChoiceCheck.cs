namespace MatteKit.Subjects;

/// <summary>
/// The command line's choices are the user naming someone: a choice that cannot name anyone fails with one line
/// (the people found, numbered as N chooses them) instead of matting on with an empty alpha or, worse, taking the
/// wrong person later. Shared by the pass that mattes and the pass that finds a later frame's choice.
/// </summary>
internal static class SubjectChoiceCheck
{
    /// <summary>Before any work: a point nobody can stand on, or a mask of other frames, would keep nobody.</summary>
    public static void Fits(SubjectChoice choice, int width, int height)
    {
        if (choice.Kind == SubjectChoiceKind.Point && !choice.Fits(width, height))
            throw new SubjectChoiceException($"Subject {choice}: the point lies outside the frame ({width}x{height}); " +
                $"give X below {width} and Y below {height}");
        if (choice.Kind == SubjectChoiceKind.Mask && !choice.Fits(width, height) && choice.Mask is { } mask)
            throw new SubjectChoiceException($"SubjectMask {choice.MaskPath}: the mask is {mask.Width}x{mask.Height}, the frames " +
                $"{width}x{height}; give a mask of the {(choice.FrameIndex > 0 ? "chosen" : "first")} frame at its size");
    }

    /// <summary>After <paramref name="frame"/> was followed: fails when the choice could be read there and named nobody.</summary>
    public static void AfterFrame(SubjectChoice choice, SubjectTracker tracker, IReadOnlyList<PersonDetection> people, int frame, long shownFrame)
    {
        if (tracker.SubjectId is not null || frame < choice.FrameIndex) return;
        // A point is read in its frame: nobody there means no one was chosen, and a later frame's person at that spot
        // (someone walking in, or across) would be the wrong one.
        if (frame == choice.FrameIndex && choice.Kind is SubjectChoiceKind.Point or SubjectChoiceKind.Mask)
            throw new SubjectChoiceException(NobodyAtThePoint(choice, people, shownFrame));
        if (choice.Kind == SubjectChoiceKind.Index)
        {
            // The choice is made in the first frame where anyone is seen: an index past the people there would wait
            // for a crowd that may never come, and end with an empty alpha.
            int seen = people.Count(p => p.Score >= PeopleTracker.AcquireScore);
            if (seen > 0)
                throw new SubjectChoiceException($"Subject {choice.Index}: {seen} {(seen == 1 ? "person was" : "people were")} detected in frame {shownFrame}, " +
                    $"the first {(choice.FrameIndex > 0 ? $"from frame {choice.FrameIndex} on " : "")}where anyone is seen ({(seen == 1 ? "index 0" : $"indices 0 to {seen - 1}")}); " +
                    "give one of those, largest, center or X,Y");
        }
    }

    /// <summary>A box as the first and last whole pixels inside it, so that both printed corners can be given back as a point.</summary>
    private static string Inside(PersonBox b)
        => $"({Math.Ceiling(b.Left):0},{Math.Ceiling(b.Top):0})-({Math.Ceiling(b.Right) - 1:0},{Math.Ceiling(b.Bottom) - 1:0})";

    /// <summary>The choice as its option names it in a message (the command line maps the property to its flag).</summary>
    public static string Named(SubjectChoice choice) => choice.Kind == SubjectChoiceKind.Mask ? $"SubjectMask {choice.MaskPath}" : $"Subject {choice}";

    private static string NobodyAtThePoint(SubjectChoice choice, IReadOnlyList<PersonDetection> people, long frame)
    {
        // Numbered as N chooses them (best score first), so that the line's numbers can be given back as --subject N.
        var found = people.Where(p => p.Score >= PeopleTracker.AcquireScore).OrderByDescending(p => p.Score).ToList();
        string where = choice.Kind == SubjectChoiceKind.Mask
            ? $"SubjectMask {choice.MaskPath}: no one found in frame {frame}, the frame a mask is of, holds at least {SubjectTracker.MinMaskShare * 100:0}% of the mask in their box; "
            : $"Subject {choice}: nobody stands at that point in frame {frame}, the frame a point is read in; ";
        return found.Count == 0
            ? where + "nobody was found there (give largest, center or N to take the first person seen)"
            : where + $"people found there: {string.Join("; ", found.Select((p, k) => $"{k} at {Inside(p.Box)}"))} " +
              $"(give {(choice.Kind == SubjectChoiceKind.Mask ? "a mask over" : "a point inside")} one of them, or its number)";
    }
}
