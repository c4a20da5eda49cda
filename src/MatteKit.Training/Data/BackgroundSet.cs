using MatteKit.Datasets;
using MatteKit.Media;
using MatteKit.Media.Ffmpeg;
using static TorchSharp.torch;

namespace MatteKit.Training.Data;

/// <summary>
/// Background images and videos (the files of each folder): images reduced to what the training size can use,
/// videos as their first <see cref="VideoFrames"/> frames scaled to cover 1.5x the training size. Held as 8-bit
/// pixels (a quarter of float32) and made float when drawn; images beyond <see cref="MemoryBudget"/> stay on disk
/// and are read when drawn, so that ten thousand of them do not fill memory. Sizes come from the files' headers,
/// so what is held is known before any image is decoded.
/// </summary>
internal sealed class BackgroundSet
{
    public const int VideoFrames = 60;

    /// <summary>8-bit pixels held in memory at most; videos must fit in it, images take what is left.</summary>
    public const long MemoryBudget = 1L << 30;

    private readonly List<Item> _items = new();
    private readonly int _trainWidth, _trainHeight;

    /// <summary>Held pixels <c>[N, 3, H, W]</c> as bytes (N = 1 for an image), or an image file read when drawn.</summary>
    private sealed record Item(Tensor? Held, string? File, int Reduce);

    public BackgroundSet(IReadOnlyList<string> folders, int trainWidth, int trainHeight, CancellationToken cancel, long memoryBudget = MemoryBudget)
    {
        (_trainWidth, _trainHeight) = (trainWidth, trainHeight);
        int videoWidth = (int)Math.Ceiling(trainWidth * 1.5 / 2) * 2, videoHeight = (int)Math.Ceiling(trainHeight * 1.5 / 2) * 2;
        long videoBytes = (long)VideoFrames * videoWidth * videoHeight * 3;
        var images = new List<(string File, int Reduce, long Bytes)>();
        var videos = new List<string>();
        foreach (var folder in folders)
        {
            if (!Directory.Exists(folder)) throw new MediaFormatException(folder, "folder not found");
            var files = Directory.EnumerateFiles(folder).Where(f => FrameFiles.IsImage(f) || BackgroundFrames.IsVideo(f))
                .Order(NaturalOrder.Instance).ToArray();
            if (files.Length == 0) throw new MediaFormatException(folder, "holds no background images or videos");
            foreach (var file in files)
            {
                cancel.ThrowIfCancellationRequested();
                if (BackgroundFrames.IsVideo(file))
                {
                    InputFile.RequireRegular(file, "a background video");
                    videos.Add(file);
                    continue;
                }
                var (width, height) = FrameFiles.HeaderSize(file);
                if (width < trainWidth / 2 || height < trainHeight / 2)
                    throw new MediaFormatException(file, $"is {width}x{height}, too small for the training size {trainWidth}x{trainHeight} (at least half of it is needed)");
                int reduce = ImageTensors.ReductionFor(width, height, trainWidth, trainHeight);
                images.Add((file, reduce, (long)(width / reduce) * (height / reduce) * 3));
            }
        }
        if (videos.Count * videoBytes > memoryBudget)
            throw new MediaFormatException(folders[0],
                $"{videos.Count} background videos take {Megabytes(videos.Count * videoBytes)} held in memory at this training size ({VideoFrames} frames of {videoWidth}x{videoHeight} each), more than the {Megabytes(memoryBudget)} kept for backgrounds: give at most {memoryBudget / videoBytes} videos, or their frames as images");

        long held = 0;
        foreach (var video in videos)
        {
            cancel.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var frames = PictureReader.ReadCovering(video, videoWidth, videoHeight, VideoFrames)
                .Select(bytes => Pixels(new RgbImage(videoWidth, videoHeight, bytes))).ToList();
            if (frames.Count == 0) throw new MediaFormatException(video, "video has no frames");
            _items.Add(new Item(stack(frames, 0).MoveToOuterDisposeScope(), null, 1));
            held += videoBytes;
        }
        int onDisk = 0;
        foreach (var (file, reduce, bytes) in images)
        {
            cancel.ThrowIfCancellationRequested();
            if (held + bytes > memoryBudget)
            {
                _items.Add(new Item(null, file, reduce));
                onDisk++;
                continue;
            }
            using var scope = NewDisposeScope();
            _items.Add(new Item(Pixels(ReadReduced(file, reduce)).unsqueeze(0).MoveToOuterDisposeScope(), null, reduce));
            held += bytes;
        }
        Description = $"{images.Count} background images, {videos.Count} background videos ({Megabytes(held)} held in memory" +
                      (onDisk > 0 ? $"; {onDisk} images read from disk when drawn" : "") + ")";
    }

    public string Description { get; }

    public int Count => _items.Count;

    /// <summary>T background frames <c>[T, 3, H, W]</c> in 0..1: an image repeated, or a video's frames sampled at a random speed.</summary>
    public Tensor Read(TrainingRandom rng, int frames)
    {
        var item = _items[rng.Next(_items.Count)];
        if (item.Held is null)
            return ImageTensors.FromRgb(ReadReduced(item.File ?? throw new InvalidOperationException("an item not held is a file"), item.Reduce)).unsqueeze(0).expand(frames, -1, -1, -1);
        if (item.Held.shape[0] == 1) return Float(item.Held).expand(frames, -1, -1, -1);
        var indices = FrameSampler.Indices(rng, (int)item.Held.shape[0], frames);
        return Float(item.Held.index_select(0, tensor(indices.Select(i => (long)i).ToArray())));
    }

    private RgbImage ReadReduced(string file, int reduce)
    {
        var image = FrameFiles.ReadRgb(file);
        // The header promised this size; a file changed since is refused rather than drawn at another scale.
        if (image.Width < _trainWidth / 2 || image.Height < _trainHeight / 2)
            throw new MediaFormatException(file, $"is {image.Width}x{image.Height}, too small for the training size {_trainWidth}x{_trainHeight}");
        return ImageTensors.Reduce(image, reduce);
    }

    // [3, H, W] bytes, contiguous: what is held.
    private static Tensor Pixels(RgbImage image) =>
        tensor(image.Pixels, dtype: ScalarType.Byte).reshape(image.Height, image.Width, 3).permute(2, 0, 1).contiguous();

    // Divided by 255 in float32 as ImageTensors does for every other frame, so the values are those of before.
    private static Tensor Float(Tensor bytes) => bytes.to(ScalarType.Float32).div_(255);

    private static string Megabytes(long bytes) => $"{Math.Ceiling(bytes / 1048576.0):F0} MB";
}
