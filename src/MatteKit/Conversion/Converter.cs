using System.Diagnostics;
using MatteKit.Inference;

namespace MatteKit.Conversion;

/// <summary>
/// Mattes a video, a stream, a folder of images or one image into alpha, foreground, composition and segmentation
/// outputs (videos through ffmpeg, PNG sequences, single PNGs); with a background plate, runs BackgroundMattingV2
/// instead (<see cref="PlateFrameMatter"/>), with its error and refined-patch maps as further outputs. Decoding,
/// inference and encoding run concurrently.
/// Outputs appear under their final names only when all of them are complete (temporary names, renamed at the
/// end); a failure or cancellation kills the ffmpeg children and removes the temporaries.
/// </summary>
public static class Converter
{
    /// <exception cref="MediaFormatException">An input or output cannot be used; the message names it.</exception>
    /// <exception cref="WeightsFormatException">The weights cannot be used.</exception>
    /// <exception cref="ArgumentException">The options contradict each other.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> was signalled; nothing is left behind.</exception>
    public static ConvertSummary Run(ConvertOptions options, IProgress<ConvertProgress>? progress = null, CancellationToken cancel = default)
        => Run(options, progress, cancel, beforeCommit: null);

    /// <param name="options">What to convert, validated here.</param>
    /// <param name="progress">Frames done and expected, reported as they go.</param>
    /// <param name="cancel">Stops the run; nothing is left behind.</param>
    /// <param name="beforeCommit">
    /// Called with the summary once every output is complete but still under its temporary name; if it throws
    /// (the CLI printing to a full disk, say), the outputs are removed, so a failed run never leaves them behind.
    /// </param>
    internal static ConvertSummary Run(ConvertOptions options, IProgress<ConvertProgress>? progress, CancellationToken cancel,
        Action<ConvertSummary>? beforeCommit)
    {
        var total = Stopwatch.StartNew();
        options.Validate();
        cancel.ThrowIfCancellationRequested();
        var sinks = new List<(FrameSink Sink, OutputRole Role)>();
        CompositionBackground? background = null;
        FrameSource? source = null;
        // Every phase before the pipeline (probing, opening, the first frame) can block on a stalled input:
        // cancelling kills the ffmpeg children so that it returns at once.
        using var abort = cancel.Register(() =>
        {
            source?.Abort();
            background?.Abort();
        });
        try
        {
            background = CompositionBackground.Open(options.Background, options.Matting.MaxPixels, options.ReadTimeout, cancel);
            if (background.IsVideo && options.Frames is { Start: > 0 })
                throw new ArgumentException($"--frames {options.Frames}: a video background would restart at its first frame in each chunk; " +
                    "give a colour, an image or blur, or convert in one pass");
            options = WithSubjectFound(options, cancel);
            source = FrameSource.Open(options, cancel, prime: true);
            // A stream's choice at a time: its frame is known once the stream's rate is.
            if (options.Subject is { NeedsRate: true } timed) options = options with { Subject = timed.AtRate(source.FrameRate.PerSecond) };
            var targets = OutputTarget.For(options, source, background.Transparent);
            cancel.ThrowIfCancellationRequested();
            using IFrameMatter matter = FrameMatterSettings.From(options).Open();
            cancel.ThrowIfCancellationRequested();

            var first = new FrameSlot();
            var t = Stopwatch.StartNew();
            if (!source.Read(first))
                throw new MediaFormatException(source.Name,
                    options.StartSeconds is { } start ? $"holds no video frames from {start} s on" : "holds no video frames");
            var firstDecode = t.Elapsed;
            cancel.ThrowIfCancellationRequested();
            ConvertLimits.CheckChunk(options.SeqChunk, first.Width, first.Height);

            foreach (var target in targets)
                sinks.Add((target.Open(first.Width, first.Height, source, options), target.Role));

            var pipeline = new ConversionPipeline(source, matter, options, sinks, background, progress);
            pipeline.AddDecodeTime(firstDecode);
            if (options.Sequential) pipeline.RunSequential(first, cancel);
            else pipeline.RunConcurrent(first, cancel);

            // A stream's choice is read in its frame as the frames come: one that ended before it is the file's usage
            // error (the finder's line), not a run whose alpha is 0 throughout; nothing is committed.
            if (options.Subject is { } subject && pipeline.Frames <= subject.FrameIndex)
                throw new Subjects.SubjectChoiceException(Subjects.SubjectFinder.PastTheEnd(subject, pipeline.Frames));
            var encodeEnd = Stopwatch.StartNew();
            foreach (var (sink, _) in sinks) sink.Finish();
            cancel.ThrowIfCancellationRequested();
            // The last report is exact, whatever the estimate was.
            progress?.Report(new ConvertProgress(pipeline.Frames, pipeline.Frames, total.Elapsed));
            var summary = new ConvertSummary(pipeline.Frames, matter.ResolvedRatio, matter.NetworkSize.Width, matter.NetworkSize.Height,
                total.Elapsed, pipeline.Decode, pipeline.Inference, pipeline.Encode + encodeEnd.Elapsed)
            {
                Mode = matter.Describe(pipeline.Frames),
                RateNote = source.RateNote,
            };
            beforeCommit?.Invoke(summary);
            cancel.ThrowIfCancellationRequested();
            foreach (var (sink, _) in sinks) sink.Commit();
            return summary;
        }
        finally
        {
            foreach (var (sink, _) in sinks) sink.Dispose();
            background?.Dispose();
            source?.Dispose();
        }
    }

    /// <summary>
    /// A file's subject is found by a pass over the frames up to the one the choice is read in, so that the main pass
    /// keeps them from the first frame they are followed in (and, walking in, before MoveNet saw them). A stream cannot
    /// be read twice: there the choice is read in its frame and kept from then on. A point or mask of the first frame
    /// needs no pass before: the person is followed from frame 0, so there is nothing earlier to keep.
    /// </summary>
    internal static ConvertOptions WithSubjectFound(ConvertOptions options, CancellationToken cancel)
    {
        if (options.Subject is not { } choice || FrameSource.IsStream(options.Input)) return options;
        if (choice is { FrameIndex: 0, NeedsRate: false, Kind: Subjects.SubjectChoiceKind.Point or Subjects.SubjectChoiceKind.Mask }) return options;
        using var source = FrameSource.Open(options, cancel);
        using var abort = cancel.Register(source.Abort);
        return options with { Subject = Subjects.SubjectFinder.Find(choice.AtRate(source.FrameRate.PerSecond), source.Read, options.Matting.Threads, cancel) };
    }
}
