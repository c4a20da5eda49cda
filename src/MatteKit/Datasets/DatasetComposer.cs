using System.Text.Json;
using MatteKit.Media;

namespace MatteKit.Datasets;

/// <summary>
/// Builds clips with exact ground truth, the way the RVM paper built its test sets: a person cut-out (F, a) moved by
/// a deterministic affine motion (<see cref="ClipMotion"/>) over a background B (a moving crop of a still, or a
/// video). Per frame, a is warped bilinearly and F bicubically (a = 0 outside the source photo, F = 0 where a = 0),
/// B is resampled bicubically, all three are clamped and rounded to 8 bits, and only then the composite is made
/// from the stored values: <c>com = round((a F + (255 - a) B) / 255)</c> in integers (no ties can occur, so this is
/// <c>round(255 (a F + (1 - a) B))</c> for a, F, B in [0, 1]). The written <c>com</c>, <c>pha</c>, <c>fgr</c>,
/// <c>bgr</c> therefore agree exactly. Layout: <c>OUT/&lt;clip&gt;/com|pha|fgr|bgr/NNNN.png</c> + <c>meta.json</c>.
/// </summary>
internal static class DatasetComposer
{
    /// <param name="options">The cut-outs, backgrounds and clips to make, validated here.</param>
    /// <param name="log">A line per clip written; null = none.</param>
    /// <param name="cancel">Checked before every frame; when signalled the partial dataset folder is removed.</param>
    public static IReadOnlyList<string> Run(ComposeOptions options, Action<string>? log = null, CancellationToken cancel = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Width, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Height, 16);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Frames);
        CheckFolders(options);
        var cutoutFolders = ListCutouts(options.Foregrounds);
        var backgrounds = ListBackgrounds(options.Backgrounds);
        int clips = options.MaxClips > 0 ? Math.Min(options.MaxClips, cutoutFolders.Count) : cutoutFolders.Count;

        using var output = new OutputFolder(options.Output);
        var names = new List<string>();
        for (int i = 0; i < clips; i++)
        {
            var cutout = Cutout.Load(cutoutFolders[i]);
            var background = backgrounds[i % backgrounds.Count];
            var name = $"{cutout.Name}_over_{Path.GetFileNameWithoutExtension(background)}";
            log?.Invoke($"clip {i + 1}/{clips}: {name}");
            ComposeClip(cutout, background, Path.Combine(output.WorkingPath, name), options, options.Seed * 1000 + i, cancel);
            names.Add(name);
        }
        output.Commit();
        return names;
    }

    private static void ComposeClip(Cutout source, string background, string folder, ComposeOptions options, int seed, CancellationToken cancel)
    {
        int width = options.Width, height = options.Height;
        var motion = ClipMotion.Draw(seed, source.TouchesBottom);
        foreach (var sub in options.WriteBackground ? new[] { "com", "pha", "fgr", "bgr" } : new[] { "com", "pha", "fgr" })
            Directory.CreateDirectory(Path.Combine(folder, sub));

        // Base scale: the alpha's bounding box spans HeightFraction of the frame height (and at most 95% of its width).
        var b = source.Bounds;
        int boxHeight = (source.TouchesBottom ? source.Height : b.Bottom) - b.Top;
        double scale = motion.HeightFraction * height / boxHeight;
        scale = Math.Min(scale, 0.95 * width / ((b.Right - b.Left) * (1 + motion.ScaleAmplitude)));
        int factor = (int)Math.Floor(1 / (scale * (1 + motion.ScaleAmplitude)));
        var cutout = source.Reduce(factor);
        if (factor >= 2) scale *= factor;
        b = cutout.Bounds;
        double anchorX = (b.Left + b.Right) / 2.0;
        double anchorY = cutout.TouchesBottom ? cutout.Height : (b.Top + b.Bottom) / 2.0;

        int pixels = width * height;
        var pha = new byte[pixels];
        var fgr = new byte[pixels * 3];
        var com = new byte[pixels * 3];
        var sample = new double[3];
        int t = 0;
        foreach (var bgr in BackgroundFrames.Generate(background, width, height, options.Frames, motion))
        {
            cancel.ThrowIfCancellationRequested();
            double s = scale * motion.PersonScale(t), angle = motion.PersonRotationRadians(t);
            double cos = Math.Cos(angle), sin = Math.Sin(angle);
            double outX = motion.PersonX(t) * width;
            double outY = cutout.TouchesBottom ? height * (1 + motion.AnchorBelow) : 0.55 * height;
            for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int p = y * width + x;
                double dx = x + 0.5 - outX, dy = y + 0.5 - outY;
                double sx = anchorX + (cos * dx + sin * dy) / s;
                double sy = anchorY + (-sin * dx + cos * dy) / s;
                byte a = 0;
                if (sx >= 0 && sx < cutout.Width && sy >= 0 && sy < cutout.Height)
                    a = (byte)Math.Round(Resampler.Bilinear(cutout.Alpha, cutout.Width, cutout.Height, sx - 0.5, sy - 0.5));
                pha[p] = a;
                if (a == 0)
                {
                    fgr[3 * p] = fgr[3 * p + 1] = fgr[3 * p + 2] = 0;
                }
                else
                {
                    Resampler.Bicubic(cutout.Rgb, cutout.Width, cutout.Height, 3, sx - 0.5, sy - 0.5, sample);
                    for (int c = 0; c < 3; c++) fgr[3 * p + c] = (byte)Math.Round(sample[c]);
                }
                for (int c = 0; c < 3; c++)
                    com[3 * p + c] = (byte)((a * fgr[3 * p + c] + (255 - a) * bgr[3 * p + c] + 127) / 255);
            }
            var file = $"{t:D4}.png";
            PngFile.WriteGray(Path.Combine(folder, "pha", file), width, height, pha);
            PngFile.WriteRgb(Path.Combine(folder, "fgr", file), width, height, fgr);
            PngFile.WriteRgb(Path.Combine(folder, "com", file), width, height, com);
            if (options.WriteBackground) PngFile.WriteRgb(Path.Combine(folder, "bgr", file), width, height, bgr);
            t++;
        }

        var meta = new
        {
            size = new[] { width, height },
            frames = options.Frames,
            seed,
            fg = source.Name,
            fg_size = new[] { source.Width, source.Height },
            fg_reduced_by = Math.Max(factor, 1),
            bg = Path.GetFileName(background),
            bg_kind = BackgroundFrames.IsVideo(background) ? "video (scaled to cover, centre crop, loops)" : "still (moving crop: pan + zoom)",
            motion,
            formula = "com = round((pha*fgr + (255-pha)*bgr) / 255) on the stored 8-bit values; fgr = 0 where pha = 0",
        };
        File.WriteAllText(Path.Combine(folder, "meta.json"), JsonSerializer.Serialize(meta, new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    }

    private static List<string> ListCutouts(string folder)
    {
        if (!Directory.Exists(folder)) throw new MediaFormatException(folder, "no such folder");
        var list = Directory.EnumerateDirectories(folder).Order(NaturalOrder.Instance).ToList();
        if (list.Count == 0) throw new MediaFormatException(folder, "holds no cut-out folders (each with image.jpg and alpha.png)");
        return list;
    }

    /// <summary>
    /// Every background, each checked to be a regular file before any clip is made: a FIFO among them would block
    /// the run forever and a device (<c>/dev/zero</c> linked as <c>.png</c>) would fill memory.
    /// </summary>
    private static List<string> ListBackgrounds(string path)
    {
        bool Usable(string f) => BackgroundFrames.IsVideo(f) || BackgroundFrames.IsImage(f);
        List<string> list;
        if (File.Exists(path))
        {
            list = Usable(path) ? [path] : throw new MediaFormatException(path, "is neither an image nor a video");
        }
        else
        {
            if (!Directory.Exists(path)) throw new MediaFormatException(path, "no such file or folder");
            list = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Where(Usable)
                .Order(NaturalOrder.Instance).ToList();
            if (list.Count == 0) throw new MediaFormatException(path, "holds no background images or videos");
        }
        foreach (var file in list) InputFile.RequireRegular(file, "a background image or video");
        return list;
    }

    /// <summary>The input folders there, and the dataset folder apart from them (see <see cref="RequireApart"/>); before anything is read.</summary>
    /// <exception cref="ArgumentException">One line naming both folders.</exception>
    /// <exception cref="MediaFormatException">An input folder is missing.</exception>
    internal static void CheckFolders(ComposeOptions options)
    {
        if (!Directory.Exists(options.Foregrounds)) throw new MediaFormatException(options.Foregrounds, "no such folder");
        if (!File.Exists(options.Backgrounds) && !Directory.Exists(options.Backgrounds))
            throw new MediaFormatException(options.Backgrounds, "no such file or folder");
        RequireApart(options.Output, options.Foregrounds, "Foregrounds");
        RequireApart(options.Output, options.Backgrounds, "Backgrounds");
    }

    /// <summary>
    /// The dataset folder must not be, or lie inside, an input folder (a second run would take the first one's
    /// frames as backgrounds or cut-outs), nor hold one.
    /// </summary>
    /// <exception cref="ArgumentException">One line naming both folders.</exception>
    private static void RequireApart(string output, string input, string option)
    {
        if (FileIdentity.IsSameOrInside(output, input))
            throw new ArgumentException($"{output}: Output lies inside {option} {input}; its clips would be read back as inputs; write the dataset elsewhere");
        if (FileIdentity.IsSameOrInside(input, output))
            throw new ArgumentException($"{output}: {option} {input} lies inside Output; write the dataset elsewhere");
    }
}
