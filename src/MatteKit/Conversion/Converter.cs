using System.Diagnostics;
using MatteKit.Inference;
using MatteKit.Media;
using MatteKit.Media.Ffmpeg;

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
    /// <exception cref="Weights.WeightsFormatException">The weights cannot be used.</exception>
    /// <exception cref="ArgumentException">The options contradict each other.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> was signalled; nothing is left behind.</exception>
    public static ConvertSummary Run(ConvertOptions options, IProgress<ConvertProgress>? progress = null, CancellationToken cancel = default)
    {
        var total = Stopwatch.StartNew();
        Validate(options);
        var background = CompositionBackground.Parse(options.Background);
        var sinks = new List<(FrameSink Sink, OutputRole Role)>();
        try
        {
            using var source = FrameSource.Open(options);
            var plans = OutputPlan.For(options, source, background.Transparent);
            using IFrameMatter matter = options.Plate is null ? RvmFrameMatter.Load(options) : PlateFrameMatter.Load(options, options.Plate);
            cancel.ThrowIfCancellationRequested();

            var first = new FrameSlot();
            var t = Stopwatch.StartNew();
            if (!source.Read(first))
                throw new MediaFormatException(source.Name,
                    options.StartSeconds is { } start ? $"holds no video frames from {start} s on" : "holds no video frames");
            var firstDecode = t.Elapsed;

            foreach (var plan in plans)
                sinks.Add((plan.Open(first.Width, first.Height, source, options), plan.Role));

            var pipeline = new ConversionPipeline(source, matter, options, sinks, background, progress);
            pipeline.AddDecodeTime(firstDecode);
            if (options.Sequential) pipeline.RunSequential(first, cancel);
            else pipeline.RunConcurrent(first, cancel);

            var encodeEnd = Stopwatch.StartNew();
            foreach (var (sink, _) in sinks) sink.Finish();
            cancel.ThrowIfCancellationRequested();
            foreach (var (sink, _) in sinks) sink.Commit();
            return new ConvertSummary(pipeline.Frames, matter.ResolvedRatio, matter.NetworkSize.Width, matter.NetworkSize.Height,
                total.Elapsed, pipeline.Decode, pipeline.Inference, pipeline.Encode + encodeEnd.Elapsed)
            {
                Mode = matter.Describe(pipeline.Frames),
            };
        }
        finally
        {
            foreach (var (sink, _) in sinks) sink.Dispose();
            background.Dispose();
        }
    }

    private static void Validate(ConvertOptions options)
    {
        if (options.OutputAlpha is null && options.OutputForeground is null && options.OutputComposition is null && options.OutputSegmentation is null
            && options.Plate?.OutputError is null && options.Plate?.OutputRefined is null)
            throw new ArgumentException("no output requested: give at least one of --output-alpha, --output-foreground, --output-composition, " +
                (options.Plate is null ? "--output-segmentation" : "--output-error, --output-refined"));
        if (options.Plate is not null && options.OutputSegmentation is not null)
            throw new ArgumentException("--output-segmentation is an RVM output; it does not combine with --background-plate");
        if (options.SegmentationThreshold is { } threshold && !(threshold >= 0 && threshold <= 1))
            throw new ArgumentException($"segmentation threshold {threshold} is outside [0, 1]");
        if (options.OutputVideoMbps is not null && options.Crf is not null)
            throw new ArgumentException("give either --output-video-mbps or --crf, not both");
        if (options.OutputVideoMbps is { } mbps && !(mbps > 0)) throw new ArgumentException($"--output-video-mbps must be positive, got {mbps}");
        if (options.Crf is { } crf && crf is < 0 or > 63) throw new ArgumentException($"--crf must be in 0..63, got {crf}");
        if (options.H264Preset is { } preset && !VideoContainer.H264Presets.Contains(preset))
            throw new ArgumentException($"--x264-preset must be one of {string.Join(", ", VideoContainer.H264Presets)}, got '{preset}'");
        if (options.SeqChunk < 1) throw new ArgumentException($"--seq-chunk must be at least 1, got {options.SeqChunk}");
        if (options.StartSeconds is < 0) throw new ArgumentException("--start must not be negative");
        if (options.DurationSeconds is { } d && !(d > 0)) throw new ArgumentException("--duration must be positive");
        if (options.InputResize is { } r && (r.Width <= 0 || r.Height <= 0)) throw new ArgumentException("--input-resize needs a positive WxH");
        if (options.DownsampleRatio is { } ratio && !(ratio > 0 && ratio <= 1))
            throw new ArgumentException($"--downsample-ratio must be auto or in (0, 1], got {ratio}");
    }
}
