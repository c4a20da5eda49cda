using MatteKit.Media.Ffmpeg;

namespace MatteKit.Conversion;

/// <summary>
/// What one requested output will be (video in a container, folder of PNGs or EXRs, or one PNG), its depth and alpha
/// mode, decided and checked before any weights are loaded or frames decoded, so that a wrong path fails at once.
/// </summary>
internal sealed class OutputTarget
{
    private OutputTarget(OutputRole role, string path, VideoContainer? container, bool singlePng, PixelLayout layout, bool? premultiply, bool exr = false)
    {
        Role = role;
        Path = path;
        Container = container;
        SinglePng = singlePng;
        Layout = layout;
        Exr = exr;
        Premultiply = (premultiply ?? exr) && layout.HasAlpha();
    }

    public OutputRole Role { get; }
    public string Path { get; }
    public VideoContainer? Container { get; }
    public bool SinglePng { get; }
    public PixelLayout Layout { get; }

    /// <summary>A folder of OpenEXR frames.</summary>
    public bool Exr { get; }

    /// <summary>RGBA written premultiplied: the alpha mode asked, else the format's convention (EXR yes, PNG and video no).</summary>
    public bool Premultiply { get; }

    public static List<OutputTarget> For(ConvertOptions options, FrameSource source, bool transparent) => For(options, source.IsSingleImage, transparent);

    /// <summary>
    /// The same decisions before the input is opened, where whether it is a single image is known otherwise (serve's
    /// upload checks a job's outputs by these rules, so that a job the conversion would refuse is not queued).
    /// </summary>
    /// <exception cref="MediaFormatException">An output its format cannot hold (depth, transparency), or whose folder or extension is wrong.</exception>
    public static List<OutputTarget> For(ConvertOptions options, bool singleImage, bool transparent)
    {
        var targets = new List<OutputTarget>();
        void Add(string? path, OutputRole role, PixelLayout layout)
        {
            if (path is not null)
                targets.Add(Decide(path, role, options.BitDepth == 16 ? layout.Deep() : layout, options.OutputType, singleImage, options.PremultiplyAlpha));
        }
        Add(options.OutputAlpha, OutputRole.Alpha, PixelLayout.Gray8);
        // An EXR foreground carries its alpha, as compositors take it.
        Add(options.OutputForeground, OutputRole.Foreground, options.OutputType == OutputType.ExrSequence ? PixelLayout.Rgba32 : PixelLayout.Rgb24);
        Add(options.OutputComposition, OutputRole.Composition, transparent ? PixelLayout.Rgba32 : PixelLayout.Rgb24);
        Add(options.OutputSegmentation, OutputRole.Segmentation, PixelLayout.Gray8);
        Add(options.Plate?.OutputError, OutputRole.Error, PixelLayout.Gray8);
        Add(options.Plate?.OutputRefined, OutputRole.Refined, PixelLayout.Gray8);
        return targets;
    }

    /// <summary>
    /// Whether an output of <paramref name="type"/> named <paramref name="path"/> is one file (a video, or one .png)
    /// rather than a folder of frames, by its name less the separators at its end: <c>o.png/</c> and <c>o.mp4/</c>
    /// have no extension as written, and were made folders of PNG frames so named. Such a file output is refused
    /// (<see cref="Media.OutputFile.NamesAFolder"/>): by the commands before any work, and by <see cref="Decide"/>.
    /// </summary>
    internal static bool IsOneFile(string path, OutputType type)
    {
        // Every separator at its end, not only the last: "o.png//" (one taken off, still no extension) made the folder.
        string name = path.TrimEnd(System.IO.Path.DirectorySeparatorChar, System.IO.Path.AltDirectorySeparatorChar);
        return type == OutputType.Video
               || (type == OutputType.Auto && (VideoContainer.ForPath(name) is not null || System.IO.Path.GetExtension(name).Equals(".png", StringComparison.OrdinalIgnoreCase)));
    }

    // premultiply: as asked (ConvertOptions.PremultiplyAlpha); null = the format's convention.
    private static OutputTarget Decide(string path, OutputRole role, PixelLayout layout, OutputType type, bool singleImage, bool? premultiply)
    {
        if (IsOneFile(path, type) && Media.OutputFile.NamesAFolder(path) is { } named) throw new MediaFormatException(path, named);
        var full = System.IO.Path.GetFullPath(path);
        var parent = Media.ParentFolder.Of(path);
        if (!Directory.Exists(parent))
            throw new MediaFormatException(path, File.Exists(parent) ? $"output folder {parent} is a file, not a folder" : $"output folder {parent} does not exist");
        var ext = System.IO.Path.GetExtension(path);
        var container = VideoContainer.ForPath(path);
        bool isPng = ext.Equals(".png", StringComparison.OrdinalIgnoreCase);
        string supported = $"use {VideoContainer.KnownExtensions} for a video, a folder for PNG frames, or .png for a single image input";

        bool isExr = ext.Equals(".exr", StringComparison.OrdinalIgnoreCase);
        if (type == OutputType.ExrSequence)
        {
            if (isExr && !Directory.Exists(path))
                throw new MediaFormatException(path, "an EXR output is a folder of frames; give a folder name, not a .exr file");
            return new OutputTarget(role, path, null, false, layout, premultiply, exr: true);
        }
        if (type == OutputType.Auto && isExr && !Directory.Exists(path))
            throw new MediaFormatException(path, "OpenEXR outputs are folders of frames (the EXR sequence output type), not a .exr file");
        if (type == OutputType.PngSequence || (type == OutputType.Auto && container is null && !isPng))
        {
            if (type == OutputType.Auto && ext.Length > 0 && !Directory.Exists(path))
                throw new MediaFormatException(path, $"unsupported output extension '{ext}' ({supported})");
            return new OutputTarget(role, path, null, false, layout, premultiply);
        }
        if (type == OutputType.Auto && isPng)
        {
            if (!singleImage)
                throw new MediaFormatException(path, "a .png output needs a single image input; give a folder for PNG frames or a video file");
            return new OutputTarget(role, path, null, true, layout, premultiply);
        }
        if (container is null)
            throw new MediaFormatException(path, ext.Length == 0
                ? $"a video output needs a video extension ({VideoContainer.KnownExtensions})"
                : $"unsupported output extension '{ext}' for a video ({supported})");
        CheckDepth(path, container, layout.IsDeep());
        if (layout.HasAlpha() && !container.SupportsAlpha)
            throw new MediaFormatException(path, $"{container.Name} video cannot hold transparency; use .webm (VP9), .mov (ProRes 4444), .gif or a folder of PNGs");
        if (layout.HasAlpha() && premultiply == true && container.Name == "gif")
            throw new MediaFormatException(path, "a GIF's transparency is on or off, so its colour cannot be premultiplied; premultiplied colour is for PNG, ProRes, VP9 and EXR");
        // A missing ffmpeg is reported now rather than after the weights are loaded and the first frame decoded.
        _ = FfmpegTools.Ffmpeg;
        return new OutputTarget(role, path, container, false, layout, premultiply);
    }

    /// <summary>The one rule on a deep video: only ProRes (.mov) holds more than 8 bits (a plan's outputs are checked by it too).</summary>
    /// <exception cref="MediaFormatException">Another container.</exception>
    internal static void CheckDepth(string path, VideoContainer container, bool deep)
    {
        if (deep && container.Name != "mov")
            throw new MediaFormatException(path, $"{container.Name} video holds 8 bits; for 16 bits use .mov (ProRes 4444), a folder of PNGs or an EXR sequence");
    }

    public FrameSink Open(int width, int height, FrameSource source, ConvertOptions options)
    {
        if (Exr) return new ExrSequenceSink(Path, Layout, Premultiply);
        if (SinglePng) return new PngFileSink(Path, Layout, Premultiply);
        if (Container is null) return new PngSequenceSink(Path, Layout, Premultiply);
        var encoding = new VideoEncoding
        {
            Width = width,
            Height = height,
            Layout = Layout,
            FrameRate = source.FrameRate,
            Mbps = options.OutputVideoMbps,
            Crf = options.Crf,
            H264Preset = options.H264Preset,
            Color = source.Color ?? VideoColor.ForSize(width, height),
            AudioSource = options.NoAudio ? null : source.AudioPath,
            AudioCodec = source.AudioCodec,
            // A chunk by frame index carries its own stretch of the audio (a plan's segments leave audio to the join).
            AudioStartSeconds = options.StartSeconds ?? (options.Frames is { } f ? f.Start / source.FrameRate.PerSecond : null),
            AudioDurationSeconds = options.DurationSeconds ?? (options.Frames is { } g ? source.FrameCountEstimate / source.FrameRate.PerSecond : null),
        };
        return new VideoFrameSink(Path, Container, encoding, Premultiply);
    }
}
