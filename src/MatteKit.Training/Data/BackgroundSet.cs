using MatteKit.Datasets;
using MatteKit.Media;
using MatteKit.Media.Ffmpeg;
using static TorchSharp.torch;

namespace MatteKit.Training.Data;

/// <summary>
/// Background images and videos (the files of each folder): images held reduced to what the training size can
/// use; videos as their first <see cref="VideoFrames"/> frames scaled to cover 1.5x the training size.
/// </summary>
internal sealed class BackgroundSet
{
    public const int VideoFrames = 60;
    private readonly List<Tensor> _items = new(); // [N, 3, H, W]: N = 1 for an image

    public BackgroundSet(IReadOnlyList<string> folders, int trainWidth, int trainHeight)
    {
        foreach (var folder in folders)
        {
            if (!Directory.Exists(folder)) throw new MediaFormatException(folder, "folder not found");
            var files = Directory.EnumerateFiles(folder).Where(f => FrameFiles.IsImage(f) || BackgroundFrames.IsVideo(f))
                .Order(NaturalOrder.Instance).ToArray();
            if (files.Length == 0) throw new MediaFormatException(folder, "holds no background images or videos");
            foreach (var file in files)
            {
                using var scope = NewDisposeScope();
                Tensor frames;
                if (BackgroundFrames.IsVideo(file))
                {
                    int w = (int)Math.Ceiling(trainWidth * 1.5 / 2) * 2, h = (int)Math.Ceiling(trainHeight * 1.5 / 2) * 2;
                    var list = PictureReader.ReadCovering(file, w, h, VideoFrames)
                        .Select(bytes => ImageTensors.FromRgb(new RgbImage(w, h, bytes))).ToList();
                    if (list.Count == 0) throw new MediaFormatException(file, "video has no frames");
                    frames = stack(list, 0);
                }
                else
                {
                    var image = FrameFiles.ReadRgb(file);
                    if (image.Width < trainWidth / 2 || image.Height < trainHeight / 2)
                        throw new MediaFormatException(file, $"is {image.Width}x{image.Height}, too small for the training size {trainWidth}x{trainHeight} (at least half of it is needed)");
                    frames = ImageTensors.FromRgb(ImageTensors.Reduce(image, ImageTensors.ReductionFor(image.Width, image.Height, trainWidth, trainHeight))).unsqueeze(0);
                }
                _items.Add(frames.MoveToOuterDisposeScope());
            }
        }
        Description = $"{_items.Count(i => i.shape[0] == 1)} background images, {_items.Count(i => i.shape[0] > 1)} background videos";
    }

    public string Description { get; }

    public int Count => _items.Count;

    /// <summary>T background frames <c>[T, 3, H, W]</c>: an image repeated, or a video's frames sampled at a random speed.</summary>
    public Tensor Read(TrainingRandom rng, int frames)
    {
        var item = _items[rng.Next(_items.Count)];
        if (item.shape[0] == 1) return item.expand(frames, -1, -1, -1);
        var indices = FrameSampler.Indices(rng, (int)item.shape[0], frames);
        return item.index_select(0, tensor(indices.Select(i => (long)i).ToArray()));
    }
}
