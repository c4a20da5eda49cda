using System.Diagnostics;
using MatteKit.Inference;
using MatteKit.Media;
using MatteKit.Media.Ffmpeg;

namespace MatteKit.Conversion;

/// <summary>
/// Mattes a video, a stream, a folder of images or one image into alpha, foreground, composition and segmentation
/// outputs (videos through ffmpeg, PNG sequences, single PNGs); with a background plate, runs BackgroundMattingV2
/// instead (<see cref="PlateConversion"/>, PNG inputs). Decoding, inference and encoding run concurrently.
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
        if (options.Plate is not null) return PlateConversion.Run(options, options.Plate, progress, cancel);
        var total = Stopwatch.StartNew();
        Validate(options);
        var background = CompositionBackground.Parse(options.Background);
        var sinks = new List<(FrameSink Sink, OutputRole Role)>();
        try
        {
            using var source = FrameSource.Open(options);
            var plans = OutputPlan.For(options, source, background.Transparent);
            // ffmpeg children and the decode/encode threads share the cores with inference: spinning ORT workers would
            // take time from them (measured on 2 cores: 720p pipeline 3.3 -> 4.8 fps without spinning).
            var matterOptions = new MatterOptions { Threads = options.Threads, Refiner = options.Refiner, SpinWhileIdle = false };
            bool matting = options.OutputAlpha is not null || options.OutputForeground is not null || options.OutputComposition is not null;
            using var matter = matting ? VideoMatter.Load(options.Weights, matterOptions) : null;
            // Each pass advances the recurrent state, so both on one clip need two matters, each with its own sequence.
            using var segmenter = options.OutputSegmentation is null ? null : VideoMatter.Load(options.Weights, matterOptions);
            if (segmenter is not null && !segmenter.HasSegmentation)
                throw new ArgumentException($"{segmenter.WeightsSource}: no segmentation head in these weights (the TF.js model and ONNX " +
                    "files have none; the official .pth files have one), so --output-segmentation cannot be written");
            cancel.ThrowIfCancellationRequested();

            var first = new FrameSlot();
            var t = Stopwatch.StartNew();
            if (!source.Read(first))
                throw new MediaFormatException(source.Name,
                    options.StartSeconds is { } start ? $"holds no video frames from {start} s on" : "holds no video frames");
            var firstDecode = t.Elapsed;

            foreach (var plan in plans)
                sinks.Add((plan.Open(first.Width, first.Height, source, options), plan.Role));

            var pipeline = new ConversionPipeline(source, matter, segmenter, options, sinks, background, progress);
            pipeline.AddDecodeTime(firstDecode);
            if (options.Sequential) pipeline.RunSequential(first, cancel);
            else pipeline.RunConcurrent(first, cancel);

            var encodeEnd = Stopwatch.StartNew();
            foreach (var (sink, _) in sinks) sink.Finish();
            cancel.ThrowIfCancellationRequested();
            foreach (var (sink, _) in sinks) sink.Commit();
            return new ConvertSummary(pipeline.Frames, pipeline.ResolvedRatio, pipeline.NetworkSize.Width, pipeline.NetworkSize.Height,
                total.Elapsed, pipeline.Decode, pipeline.Inference, pipeline.Encode + encodeEnd.Elapsed);
        }
        finally
        {
            foreach (var (sink, _) in sinks) sink.Dispose();
            background.Dispose();
        }
    }

    private static void Validate(ConvertOptions options)
    {
        if (options.OutputAlpha is null && options.OutputForeground is null && options.OutputComposition is null && options.OutputSegmentation is null)
            throw new ArgumentException("no output requested: give at least one of --output-alpha, --output-foreground, --output-composition, --output-segmentation");
        if (options.SegmentationThreshold is { } threshold && !(threshold >= 0 && threshold <= 1))
            throw new ArgumentException($"segmentation threshold {threshold} is outside [0, 1]");
        if (options.OutputVideoMbps is not null && options.Crf is not null)
            throw new ArgumentException("give either --output-video-mbps or --crf, not both");
        if (options.OutputVideoMbps is { } mbps && !(mbps > 0)) throw new ArgumentException($"--output-video-mbps must be positive, got {mbps}");
        if (options.Crf is { } crf && crf is < 0 or > 63) throw new ArgumentException($"--crf must be in 0..63, got {crf}");
        if (options.SeqChunk < 1) throw new ArgumentException($"--seq-chunk must be at least 1, got {options.SeqChunk}");
        if (options.StartSeconds is < 0) throw new ArgumentException("--start must not be negative");
        if (options.DurationSeconds is { } d && !(d > 0)) throw new ArgumentException("--duration must be positive");
        if (options.InputResize is { } r && (r.Width <= 0 || r.Height <= 0)) throw new ArgumentException("--input-resize needs a positive WxH");
        if (options.DownsampleRatio is { } ratio && !(ratio > 0 && ratio <= 1))
            throw new ArgumentException($"--downsample-ratio must be auto or in (0, 1], got {ratio}");
    }

    /// <summary>Plate mode's input check (it reads PNG images and folders of them).</summary>
    internal static void CheckImageInput(string input)
    {
        if (!File.Exists(input)) throw new MediaFormatException(input, "no such file or folder");
        if (!input.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            throw new MediaFormatException(input,
                $"'{Path.GetExtension(input)}' input is not supported in background-plate mode: it reads PNG images and folders of PNG images");
    }

    /// <summary>Plate mode's output check (PNG files for an image, folders for a folder).</summary>
    internal static void CheckOutput(string output, bool sequence)
    {
        var full = Path.GetFullPath(output);
        var parent = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(parent)) throw new MediaFormatException(output, $"output folder {parent} does not exist");
        if (!sequence && !output.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            throw new MediaFormatException(output,
                $"unsupported output extension '{Path.GetExtension(output)}' for an image input (use .png)");
    }
}
