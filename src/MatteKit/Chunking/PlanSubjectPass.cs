using System.Diagnostics;
using MatteKit.Conversion;
using MatteKit.Inference;
using MatteKit.Media;
using MatteKit.Subjects;

namespace MatteKit.Chunking;

/// <summary>
/// The person pass of a plan with a subject: the detector, the tracker and the per-person masks run once over the
/// whole input, in order, exactly as a one-pass <c>convert --subject</c> runs them beside RVM (the same frames, the
/// same pass before for a later frame's choice), and each frame's keep map is stored for the chunks. No matting: it
/// costs the person pass only.
/// </summary>
internal static class PlanSubjectPass
{
    /// <param name="options">The plan's options with the subject chosen (the whole input, no frames or warm-up).</param>
    /// <param name="folder">Where the blocks go (the plan's segments folder).</param>
    /// <param name="frames">The frames the plan counts: the pass must read as many.</param>
    /// <param name="progress">Frames done, as convert reports them.</param>
    /// <param name="cancel">Stops the pass; the blocks finished so far are left for the folder's clean-up.</param>
    /// <exception cref="SubjectChoiceException">The choice names nobody (a usage error).</exception>
    /// <exception cref="MediaFormatException">The input reads otherwise than it was counted.</exception>
    public static PlannedSubject Run(ConvertOptions options, string folder, int frames, IProgress<ConvertProgress>? progress, CancellationToken cancel)
    {
        var choice = options.Subject ?? throw new ArgumentException("no subject to follow", nameof(options));
        var clock = Stopwatch.StartNew();
        var found = Converter.WithSubjectFound(options, cancel);
        using var source = FrameSource.Open(found, cancel);
        using var abort = cancel.Register(source.Abort);
        int threads = options.Matting.Threads;
        using var detector = PersonDetector.Load(threads);
        using var segmenter = PersonSegmenter.Load(threads);
        var following = new SubjectFollowing(found.Subject, strict: true);
        var keep = new SubjectKeep();
        using var writer = new SubjectKeepWriter(folder);
        var slot = new FrameSlot();
        bool longer = false; // the input holds more frames than the plan counts
        while (source.Read(slot))
        {
            cancel.ThrowIfCancellationRequested();
            if (longer = writer.Frames == frames) break;
            following.Keep(detector, segmenter, slot, keep);
            writer.Add(keep);
            progress?.Report(new ConvertProgress(writer.Frames, frames, clock.Elapsed));
        }
        cancel.ThrowIfCancellationRequested();
        if (longer || writer.Frames != frames)
            throw new MediaFormatException(options.Input, $"the person pass read {(longer ? "more than " + frames : writer.Frames.ToString())} frame(s) where the plan counts {frames}; plan again");
        writer.Complete();
        return new PlannedSubject(choice.ToString(), choice.MaskSha256, following.Describe(frames) ?? "", writer.Hashes.ToArray());
    }
}
