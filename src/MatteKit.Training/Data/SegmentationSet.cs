using MatteKit.Media;
using static TorchSharp.torch;

namespace MatteKit.Training.Data;

/// <summary>
/// Segmentation samples: folders with <c>image.jpg|png</c> and <c>mask.png</c> (a person mask, above 127 = person),
/// and mask sequences, folders with <c>images/</c> and <c>masks/</c> frame folders of equal length. Read from
/// disk as they are drawn.
/// </summary>
internal sealed class SegmentationSet
{
    private readonly List<(string Image, string Mask)> _images = new();
    private readonly List<(string[] Images, string[] Masks)> _sequences = new();
    private readonly int _trainWidth, _trainHeight;

    public SegmentationSet(IReadOnlyList<string> folders, int trainWidth, int trainHeight, CancellationToken cancel)
    {
        (_trainWidth, _trainHeight) = (trainWidth, trainHeight);
        foreach (var folder in folders)
        {
            if (!Directory.Exists(folder)) throw new MediaFormatException(folder, "folder not found");
            var samples = IsSample(folder) ? new[] { folder } : Directory.EnumerateDirectories(folder).Order(NaturalOrder.Instance).ToArray();
            if (samples.Length == 0) throw new MediaFormatException(folder, "holds no segmentation samples (folders with image.* + mask.png, or images/ + masks/)");
            foreach (var sample in samples)
            {
                cancel.ThrowIfCancellationRequested();
                if (Directory.Exists(Path.Combine(sample, "images")))
                {
                    var images = FrameFiles.List(Path.Combine(sample, "images"));
                    var masksFolder = Path.Combine(sample, "masks");
                    if (!Directory.Exists(masksFolder)) throw new MediaFormatException(sample, "a mask sequence needs masks/ beside images/");
                    var masks = FrameFiles.List(masksFolder);
                    if (masks.Length != images.Length)
                        throw new MediaFormatException(masksFolder, $"{masks.Length} masks but {images.Length} images");
                    for (int i = 0; i < images.Length; i++)
                    {
                        cancel.ThrowIfCancellationRequested();
                        CheckPair(images[i], masks[i]);
                    }
                    _sequences.Add((images, masks));
                }
                else
                {
                    var image = Directory.EnumerateFiles(sample, "image.*").Where(FrameFiles.IsImage).FirstOrDefault();
                    var mask = Path.Combine(sample, "mask.png");
                    if (image is null || !File.Exists(mask))
                        throw new MediaFormatException(sample, "a segmentation sample needs image.jpg (or .png) and mask.png");
                    CheckPair(image, mask);
                    _images.Add((image, mask));
                }
            }
        }
        Description = $"{_images.Count} segmentation images, {_sequences.Count} mask sequences";
    }

    public string Description { get; }

    public bool HasImages => _images.Count > 0;

    public bool HasSequences => _sequences.Count > 0;

    /// <summary>T frames and masks (<c>[T, 3, H, W]</c>, <c>[T, 1, H, W]</c>, mask 0 or 1) of one random sequence.</summary>
    public (Tensor Images, Tensor Masks) ReadSequence(TrainingRandom rng, int frames)
    {
        var (images, masks) = _sequences[rng.Next(_sequences.Count)];
        var indices = FrameSampler.Indices(rng, images.Length, frames);
        var pairs = indices.Select(i => Read(images[i], masks[i])).ToList();
        return (stack(pairs.Select(p => p.Image), 0), stack(pairs.Select(p => p.Mask), 0));
    }

    /// <summary>One random image and its mask, <c>[1, 3, H, W]</c> and <c>[1, 1, H, W]</c>.</summary>
    public (Tensor Image, Tensor Mask) ReadImage(TrainingRandom rng)
    {
        var (image, mask) = _images[rng.Next(_images.Count)];
        var (i, m) = Read(image, mask);
        return (i.unsqueeze(0), m.unsqueeze(0));
    }

    private (Tensor Image, Tensor Mask) Read(string imagePath, string maskPath)
    {
        var image = FrameFiles.ReadRgb(imagePath);
        var mask = FrameFiles.ReadGray(maskPath);
        if (mask.Width != image.Width || mask.Height != image.Height)
            throw new MediaFormatException(maskPath, $"mask is {mask.Width}x{mask.Height} but {Path.GetFileName(imagePath)} is {image.Width}x{image.Height}");
        if (image.Width < _trainWidth / 2 || image.Height < _trainHeight / 2)
            throw new MediaFormatException(imagePath, $"is {image.Width}x{image.Height}, too small for the training size {_trainWidth}x{_trainHeight}");
        int factor = ImageTensors.ReductionFor(image.Width, image.Height, _trainWidth, _trainHeight);
        return (ImageTensors.FromRgb(ImageTensors.Reduce(image, factor)), ImageTensors.FromGray(ImageTensors.Reduce(mask, factor)).gt(0.5).to(ScalarType.Float32));
    }

    // Sizes from the headers, so that a mismatch is found when loading, not when the pair is drawn.
    private static void CheckPair(string imagePath, string maskPath)
    {
        var (iw, ih) = FrameFiles.HeaderSize(imagePath);
        var (mw, mh) = FrameFiles.HeaderSize(maskPath);
        if ((iw, ih) != (mw, mh))
            throw new MediaFormatException(maskPath, $"mask is {mw}x{mh} but {Path.GetFileName(imagePath)} is {iw}x{ih}");
    }

    private static bool IsSample(string folder) =>
        File.Exists(Path.Combine(folder, "mask.png")) || Directory.Exists(Path.Combine(folder, "masks"));
}
