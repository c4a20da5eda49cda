using System.Diagnostics;
using MatteKit.Bgm;
using MatteKit.Compositing;
using MatteKit.Inference;
using MatteKit.Media;

namespace MatteKit.Conversion;

/// <summary>
/// What <see cref="Converter"/> runs when a background plate is given: BackgroundMattingV2 on each frame against the
/// plate, writing the usual outputs plus the error and refined-patch maps. Same rules as the RVM path: outputs
/// appear under their final names only when complete.
/// </summary>
internal static class PlateConversion
{
    public static ConvertSummary Run(ConvertOptions options, PlateSettings plate, IProgress<ConvertProgress>? progress, CancellationToken cancel)
    {
        var outputs = new[] { options.OutputAlpha, options.OutputForeground, options.OutputComposition, plate.OutputError, plate.OutputRefined };
        if (outputs.All(o => o is null))
            throw new ArgumentException("no output requested: give at least one of --output-alpha, --output-foreground, --output-composition, --output-error, --output-refined");
        bool transparent = options.Background.Equals("transparent", StringComparison.OrdinalIgnoreCase);
        var color = RgbColor.Green;
        if (!transparent && !RgbColor.TryParse(options.Background, out color))
            throw new ArgumentException($"background '{options.Background}' is not green, black, white, #RRGGBB or transparent");
        if (options.Weights is null) throw new ArgumentException(BgmNetwork.DownloadHint);

        bool sequence = Directory.Exists(options.Input);
        if (!sequence) Converter.CheckImageInput(options.Input);
        var frames = sequence ? ImageSequence.ListPngFiles(options.Input) : new[] { options.Input };
        foreach (var o in outputs) if (o is not null) Converter.CheckOutput(o, sequence);

        using var matter = PlateMatter.Load(options.Weights, new PlateMatterOptions
        {
            Threads = options.Threads,
            RefineMode = plate.RefineMode,
            RefineSamplePixels = plate.RefineSamplePixels,
            RefineThreshold = plate.RefineThreshold,
            BackboneScale = plate.BackboneScale,
        });

        var total = Stopwatch.StartNew();
        string plateText;
        RgbImage plateImage;
        if (plate.Plate.Equals(PlateSettings.Auto, StringComparison.OrdinalIgnoreCase))
        {
            plateImage = TemporalMedianPlate.Build(options.Input, frames, out var how);
            plateText = how;
        }
        else
        {
            if (!File.Exists(plate.Plate)) throw new MediaFormatException(plate.Plate, "background plate not found");
            plateImage = PngFile.ReadRgb(plate.Plate);
            plateText = plate.Plate;
        }
        var plateDecode = total.Elapsed;

        var folders = sequence ? outputs.Select(o => o is null ? null : new OutputFolder(o)).ToArray() : null;
        try
        {
            TimeSpan decode = plateDecode, inference = default, encode = default;
            double backboneScale = 0;
            int baseWidth = 0, baseHeight = 0;
            long refinedPatches = 0;
            byte[]? platePixels = null;
            byte[] alpha = Array.Empty<byte>(), fgr = Array.Empty<byte>(), com = Array.Empty<byte>(), map = Array.Empty<byte>();
            for (int i = 0; i < frames.Count; i++)
            {
                cancel.ThrowIfCancellationRequested();
                var t = Stopwatch.StartNew();
                var image = PngFile.ReadRgb(frames[i]);
                if (platePixels is null || plateImage.Width != image.Width || plateImage.Height != image.Height)
                    (plateImage, platePixels) = FitPlate(plate, plateImage, image, frames[i]);
                decode += t.Elapsed;

                t.Restart();
                var result = matter.Process(image.Pixels, platePixels, image.Width, image.Height);
                int pixels = image.Width * image.Height;
                if (alpha.Length != pixels)
                {
                    alpha = new byte[pixels];
                    fgr = new byte[pixels * 3];
                    com = new byte[pixels * (transparent ? 4 : 3)];
                    map = new byte[pixels];
                }
                result.AlphaToGray8(alpha);
                result.ForegroundToRgb24(fgr);
                backboneScale = result.BackboneScale;
                (baseWidth, baseHeight) = (result.ErrorWidth, result.ErrorHeight);
                refinedPatches += result.RefinedPatchCount;
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
                if (outputs[3] is not null)
                {
                    result.ErrorToGray8(map);
                    PngFile.WriteGray(Target(3), image.Width, image.Height, map);
                }
                if (outputs[4] is not null)
                {
                    result.RefinedToGray8(map);
                    PngFile.WriteGray(Target(4), image.Width, image.Height, map);
                }
                encode += t.Elapsed;
                progress?.Report(new ConvertProgress(i + 1, frames.Count, total.Elapsed));
            }
            if (folders is not null)
                foreach (var f in folders) f?.Commit();
            return new ConvertSummary(frames.Count, backboneScale, baseWidth, baseHeight, total.Elapsed, decode, inference, encode)
            {
                Mode = $"background plate: {plateText}; BackgroundMattingV2 {matter.Backbone}, backbone scale {backboneScale:0.###} " +
                    $"(base network at {baseWidth}x{baseHeight}), refine {RefineText(plate)}: " +
                    $"{refinedPatches / (double)Math.Max(1, frames.Count):0} patches of 4x4 refined per frame on average",
            };
        }
        finally
        {
            if (folders is not null)
                foreach (var f in folders) f?.Dispose();
        }
    }

    private static string RefineText(PlateSettings p) => p.RefineMode switch
    {
        RefineMode.Full => "full",
        RefineMode.Sampling => $"sampling {p.RefineSamplePixels} px",
        _ => $"thresholding {p.RefineThreshold}",
    };

    /// <summary>The plate at the frame's size: as is, resized when asked to, else refused.</summary>
    private static (RgbImage, byte[]) FitPlate(PlateSettings settings, RgbImage plate, RgbImage frame, string framePath)
    {
        if (plate.Width == frame.Width && plate.Height == frame.Height) return (plate, plate.Pixels);
        if (!settings.ResizePlate)
            throw new MediaFormatException(settings.Plate,
                $"background plate is {plate.Width}x{plate.Height} but the frames are {frame.Width}x{frame.Height} ({framePath}); " +
                "pass --plate-resize to scale it");
        var resized = ResizeBilinear(plate, frame.Width, frame.Height);
        return (resized, resized.Pixels);
    }

    /// <summary>Bilinear resampling with half-pixel centres (no antialiasing: plates are near the frame size).</summary>
    internal static RgbImage ResizeBilinear(RgbImage image, int width, int height)
    {
        var src = image.Pixels;
        var dst = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
        {
            double sy = Math.Max(0, (y + 0.5) * image.Height / height - 0.5);
            int y0 = Math.Min((int)sy, image.Height - 1), y1 = Math.Min(y0 + 1, image.Height - 1);
            double fy = sy - y0;
            for (int x = 0; x < width; x++)
            {
                double sx = Math.Max(0, (x + 0.5) * image.Width / width - 0.5);
                int x0 = Math.Min((int)sx, image.Width - 1), x1 = Math.Min(x0 + 1, image.Width - 1);
                double fx = sx - x0;
                for (int c = 0; c < 3; c++)
                {
                    double top = src[(y0 * image.Width + x0) * 3 + c] * (1 - fx) + src[(y0 * image.Width + x1) * 3 + c] * fx;
                    double bottom = src[(y1 * image.Width + x0) * 3 + c] * (1 - fx) + src[(y1 * image.Width + x1) * 3 + c] * fx;
                    dst[(y * width + x) * 3 + c] = (byte)Math.Clamp(Math.Round(top * (1 - fy) + bottom * fy), 0, 255);
                }
            }
        }
        return new RgbImage(width, height, dst);
    }
}
