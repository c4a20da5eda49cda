using MatteKit.Datasets;
using MatteKit.Media;
using static TorchSharp.torch;

namespace MatteKit.Training.Data;

/// <summary>
/// Cut-outs and image mattes: folders with <c>image.jpg|png</c> and <c>alpha.png</c> (the layout compose-dataset
/// reads, and AIM/P3M-style image mattes), held in memory reduced to what the training size can use. A sequence
/// is the one image repeated; the augmentation's motion makes it move.
/// </summary>
internal sealed class CutoutSet : IMattingSource
{
    private readonly List<(Tensor Rgb, Tensor Alpha)> _items = new();

    public CutoutSet(string folder, int trainWidth, int trainHeight, CancellationToken cancel)
    {
        var folders = File.Exists(Path.Combine(folder, "alpha.png")) ? new[] { folder }
            : Directory.Exists(folder) ? Directory.EnumerateDirectories(folder).Order(NaturalOrder.Instance).ToArray()
            : throw new MediaFormatException(folder, "folder not found");
        if (folders.Length == 0)
            throw new MediaFormatException(folder, "holds no cut-outs (folders with image.jpg or image.png and alpha.png)");
        foreach (var f in folders)
        {
            cancel.ThrowIfCancellationRequested();
            // Cutout.Load reads image.* and alpha.png: only regular files of an image's size go to it.
            foreach (var file in Directory.EnumerateFiles(f, "image.*").Append(Path.Combine(f, "alpha.png")).Where(File.Exists))
                FrameFiles.Admit(file);
            var cutout = Cutout.Load(f);
            if (cutout.Width < trainWidth || cutout.Height < trainHeight)
                throw new MediaFormatException(f, $"image is {cutout.Width}x{cutout.Height}, smaller than the training size {trainWidth}x{trainHeight}");
            cutout = cutout.Reduce(ImageTensors.ReductionFor(cutout.Width, cutout.Height, trainWidth, trainHeight));
            using var scope = NewDisposeScope();
            var rgb = ImageTensors.FromRgb(new RgbImage(cutout.Width, cutout.Height, cutout.Rgb));
            var alpha = ImageTensors.FromGray(new GrayImage(cutout.Width, cutout.Height, cutout.Alpha));
            _items.Add((rgb.MoveToOuterDisposeScope(), alpha.MoveToOuterDisposeScope()));
        }
        Description = $"{_items.Count} cut-out{(_items.Count == 1 ? "" : "s")} from {folder}";
    }

    public string Description { get; }

    public int Count => _items.Count;

    public MattingSequence Read(int index, TrainingRandom rng, int frames)
    {
        var (rgb, alpha) = _items[index];
        return new MattingSequence(rgb.unsqueeze(0).expand(frames, -1, -1, -1), alpha.unsqueeze(0).expand(frames, -1, -1, -1), null);
    }
}
