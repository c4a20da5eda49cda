using MatteKit.Inference;
using MatteKit.Media;
using MatteKit.Media.Ffmpeg;

namespace MatteKit.Conversion;

/// <summary>Where a conversion's frames come from: a video/stream through ffmpeg, or image files.</summary>
internal abstract class FrameSource : IDisposable
{
    /// <summary>Image file extensions read as still images (a folder of them is one clip).</summary>
    internal static readonly string[] ImageExtensions = { ".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff" };

    public required string Name { get; init; }

    /// <summary>Frames expected, 0 when unknown.</summary>
    public int FrameCountEstimate { get; protected init; }

    /// <summary>The input's frame rate; for streams known only after the first frame.</summary>
    public virtual FrameRate FrameRate => FrameRate.Default;

    /// <summary>A file whose first audio stream outputs can carry, or null.</summary>
    public string? AudioPath { get; protected init; }

    public string? AudioCodec { get; protected init; }

    /// <summary>The probed input's colour (matrix, range, primaries, transfer); null for images and streams.</summary>
    public VideoColor? Color { get; protected init; }

    /// <summary>How the frame timing was changed, for the summary; null when every frame keeps its place.</summary>
    public string? RateNote { get; protected init; }

    /// <summary>One image: outputs may be single .png files.</summary>
    public bool IsSingleImage { get; protected init; }

    /// <summary>Fills <paramref name="slot"/>'s RGB buffer, size and name; false after the last frame.</summary>
    public abstract bool Read(FrameSlot slot);

    /// <summary>Stops any child process at once (from another thread), so a blocked <see cref="Read"/> returns.</summary>
    public virtual void Abort()
    {
    }

    public virtual void Dispose()
    {
    }

    /// <param name="options">What to read.</param>
    /// <param name="cancel">Stops the reading.</param>
    /// <param name="prime">Frame 0 is primed (<see cref="ConvertOptions.Priming"/>): the conversion's own source, not a pass that only looks at the frames.</param>
    public static FrameSource Open(ConvertOptions options, CancellationToken cancel = default, bool prime = false)
    {
        var input = options.Input;
        string? filter = options.InputResize is { } r ? $"scale={r.Width}:{r.Height}" : null;
        if (IsStream(input))
            return VideoFrameSource.OpenStream(input, options, filter, cancel);
        if (Directory.Exists(input))
        {
            var files = Directory.EnumerateFiles(input)
                .Where(IsImage)
                .OrderBy(f => Path.GetFileName(f), NaturalOrder.Instance)
                .ToList();
            if (files.Count == 0)
                throw new MediaFormatException(input, $"folder holds no images ({string.Join(", ", ImageExtensions)})");
            if (ChunkWindow.For(options, files.Count, prime) is { } window)
                return new WarmupFrameSource(new ImageFrameSource(files.Skip(window.DecodeFrom).Take(window.DecodeCount).ToList(), options, cancel) { Name = input },
                    window) { Name = input };
            return new ImageFrameSource(files, options, cancel) { Name = input };
        }
        if (!File.Exists(input)) throw new MediaFormatException(input, "no such file or folder");
        if (IsImage(input)) return new ImageFrameSource(new[] { input }, options, cancel) { Name = input };
        var video = VideoFrameSource.OpenFile(input, options, filter, cancel, out var chunk, prime);
        if (chunk is { } w) return new WarmupFrameSource(video, w) { Name = input };
        // Not counted (no Frames or Warmup): the first frames are held as they come and replayed backwards.
        return prime && options.PrimingFrames > 0 ? new WarmupFrameSource(video, ChunkWindow.Primed(options.PrimingFrames)) { Name = input } : video;
    }

    /// <summary>
    /// Stdin, a URL or a device: read by ffmpeg as it comes, with nothing to probe or compare beforehand. A name under
    /// /proc is one too (/proc/self/fd/0 is stdin, as /dev/stdin): planned as a file, each chunk's process read its own.
    /// </summary>
    internal static bool IsStream(string input)
        => input == "-" || input.Contains("://", StringComparison.Ordinal)
           || input.StartsWith("/dev/", StringComparison.Ordinal) || input.StartsWith("/proc/", StringComparison.Ordinal);

    /// <summary>Whether <paramref name="path"/> is read as a still image (<see cref="ImageExtensions"/>, by <see cref="InputFile.KindExtension"/>).</summary>
    internal static bool IsImage(string path)
        => ImageExtensions.Contains(InputFile.KindExtension(path), StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether <paramref name="path"/> is read as a PNG (MatteKit's own decoder), by <see cref="InputFile.KindExtension"/>.</summary>
    internal static bool IsPng(string path) => InputFile.HasKindExtension(path, ".png");
}
