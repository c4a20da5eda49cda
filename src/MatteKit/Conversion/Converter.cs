using System.Diagnostics;
using MatteKit.Compositing;
using MatteKit.Inference;
using MatteKit.Media;

namespace MatteKit.Conversion;

/// <summary>
/// Mattes a PNG image or a folder of PNG frames into alpha, foreground, composition and segmentation outputs. Outputs appear
/// under their final names only when complete (temporary names, renamed at the end).
/// </summary>
public static class Converter
{
    public static ConvertSummary Run(ConvertOptions options, IProgress<ConvertProgress>? progress = null, CancellationToken cancel = default)
    {
        if (options.Plate is not null) return PlateConversion.Run(options, options.Plate, progress, cancel);
        var outputs = new[] { options.OutputAlpha, options.OutputForeground, options.OutputComposition, options.OutputSegmentation };
        if (outputs.All(o => o is null))
            throw new ArgumentException("no output requested: give at least one of --output-alpha, --output-foreground, --output-composition, --output-segmentation");
        bool matting = outputs.Take(3).Any(o => o is not null);
        if (options.SegmentationThreshold is { } threshold && !(threshold >= 0 && threshold <= 1))
            throw new ArgumentException($"segmentation threshold {threshold} is outside [0, 1]");
        bool transparent = options.Background.Equals("transparent", StringComparison.OrdinalIgnoreCase);
        var color = RgbColor.Green;
        if (!transparent && !RgbColor.TryParse(options.Background, out color))
            throw new ArgumentException($"background '{options.Background}' is not green, black, white, #RRGGBB or transparent");

        bool sequence = Directory.Exists(options.Input);
        if (!sequence) CheckImageInput(options.Input);
        var frames = sequence ? ImageSequence.ListPngFiles(options.Input) : new[] { options.Input };
        foreach (var o in outputs) if (o is not null) CheckOutput(o, sequence);

        var matterOptions = new MatterOptions { Threads = options.Threads, Refiner = options.Refiner };
        using var matter = VideoMatter.Load(options.Weights, matterOptions);
        // Each pass advances the recurrent state, so both on one clip need two matters, each with its own sequence.
        using var secondMatter = options.OutputSegmentation is not null && matting ? VideoMatter.Load(options.Weights, matterOptions) : null;
        var segmenter = options.OutputSegmentation is null ? null : secondMatter ?? matter;
        if (segmenter is not null && !segmenter.HasSegmentation)
            throw new ArgumentException($"{segmenter.WeightsSource}: no segmentation head in these weights (the TF.js model and ONNX " +
                "files have none; the official .pth files have one), so --output-segmentation cannot be written");
        var folders = sequence ? outputs.Select(o => o is null ? null : new OutputFolder(o)).ToArray() : null;
        try
        {
            var total = Stopwatch.StartNew();
            TimeSpan decode = default, inference = default, encode = default;
            double ratio = 1;
            int networkWidth = 0, networkHeight = 0;
            byte[] fgr = Array.Empty<byte>(), alpha = Array.Empty<byte>(), com = Array.Empty<byte>(), seg = Array.Empty<byte>();
            for (int i = 0; i < frames.Count; i++)
            {
                cancel.ThrowIfCancellationRequested();
                var t = Stopwatch.StartNew();
                var image = PngFile.ReadRgb(frames[i]);
                decode += t.Elapsed;

                t.Restart();
                int pixels = image.Width * image.Height;
                if (alpha.Length != pixels)
                {
                    alpha = new byte[pixels];
                    fgr = new byte[pixels * 3];
                    com = new byte[pixels * (transparent ? 4 : 3)];
                    seg = new byte[pixels];
                }
                if (matting)
                {
                    var result = matter.Process(image.Pixels, image.Width, image.Height, options.DownsampleRatio);
                    result.AlphaToGray8(alpha);
                    result.ForegroundToRgb24(fgr);
                    ratio = result.DownsampleRatio;
                }
                if (segmenter is not null)
                {
                    var segmentation = segmenter.Segment(image.Pixels, image.Width, image.Height, options.DownsampleRatio);
                    if (options.SegmentationThreshold is { } th) segmentation.MaskToGray8(th, seg);
                    else segmentation.ProbabilityToGray8(seg);
                    ratio = segmentation.DownsampleRatio;
                }
                var geometry = (matting ? matter : segmenter!).CurrentGeometry!;
                networkWidth = geometry.NetworkWidth;
                networkHeight = geometry.NetworkHeight;
                inference += t.Elapsed;

                t.Restart();
                string Target(int k) => sequence ? folders![k]!.FilePath(Path.ChangeExtension(Path.GetFileName(frames[i]), ".png")) : outputs[k]!;
                if (outputs[0] is not null) PngFile.WriteGray(Target(0), image.Width, image.Height, alpha);
                if (outputs[1] is not null) PngFile.WriteRgb(Target(1), image.Width, image.Height, fgr);
                if (outputs[2] is not null)
                {
                    if (transparent)
                    {
                        Compositor.ToRgba(fgr, alpha, com);
                        PngFile.WriteRgba(Target(2), image.Width, image.Height, com);
                    }
                    else
                    {
                        Compositor.OverColor(fgr, alpha, color, com);
                        PngFile.WriteRgb(Target(2), image.Width, image.Height, com);
                    }
                }
                if (outputs[3] is not null) PngFile.WriteGray(Target(3), image.Width, image.Height, seg);
                encode += t.Elapsed;
                progress?.Report(new ConvertProgress(i + 1, frames.Count, total.Elapsed));
            }
            if (folders is not null)
                foreach (var f in folders) f?.Commit();
            return new ConvertSummary(frames.Count, ratio, networkWidth, networkHeight, total.Elapsed, decode, inference, encode);
        }
        finally
        {
            if (folders is not null)
                foreach (var f in folders) f?.Dispose();
        }
    }

    internal static void CheckImageInput(string input)
    {
        if (!File.Exists(input)) throw new MediaFormatException(input, "no such file or folder");
        if (!input.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            throw new MediaFormatException(input,
                $"'{Path.GetExtension(input)}' input is not supported yet: this version reads PNG images and folders of PNG images");
    }

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
