using MatteKit.Media;
using static TorchSharp.torch;

namespace MatteKit.Training.Data;

/// <summary>
/// Clips with ground truth, read from disk as sequences are drawn: video mattes as VideoMatte240K lays them out
/// (<c>DIR/fgr/CLIP/*</c> and <c>DIR/pha/CLIP/*</c>) and clips in the evaluation layout (<c>DIR/CLIP/com|fgr|pha</c>,
/// or DIR itself), whose composite is trained on as it is. Frame counts, and every frame's size as its header gives
/// it (PNG, JPEG, BMP, WebP), are checked when loading.
/// </summary>
internal sealed class ClipSet : IMattingSource
{
    private readonly List<Clip> _clips = new();
    private readonly int _reduce;

    private sealed record Clip(string Name, string[] Fgr, string[] Pha, string[]? Com, int Width, int Height);

    public ClipSet(string folder, int trainWidth, int trainHeight, CancellationToken cancel)
    {
        if (!Directory.Exists(folder)) throw new MediaFormatException(folder, "folder not found");
        string fgrRoot = Path.Combine(folder, "fgr"), phaRoot = Path.Combine(folder, "pha"), comRoot = Path.Combine(folder, "com");
        if (Directory.Exists(fgrRoot) && Directory.Exists(phaRoot) && !Directory.Exists(comRoot)
            && Directory.EnumerateDirectories(fgrRoot).Any())
        {
            foreach (var clip in Directory.EnumerateDirectories(fgrRoot).Order(NaturalOrder.Instance))
            {
                var name = Path.GetFileName(clip);
                var pha = Path.Combine(phaRoot, name);
                if (!Directory.Exists(pha)) throw new MediaFormatException(pha, $"missing: video matte {name} has foreground frames but no alpha folder");
                _clips.Add(Check(name, FrameFiles.List(clip), FrameFiles.List(pha), null, trainWidth, trainHeight, cancel));
            }
        }
        else
        {
            var clipFolders = Directory.Exists(Path.Combine(folder, "pha")) ? new[] { folder }
                : Directory.EnumerateDirectories(folder).Order(NaturalOrder.Instance).ToArray();
            foreach (var clip in clipFolders)
            {
                var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(clip));
                string fgr = Path.Combine(clip, "fgr"), pha = Path.Combine(clip, "pha"), com = Path.Combine(clip, "com");
                if (!Directory.Exists(pha)) throw new MediaFormatException(clip, "a clip needs pha/ (alpha) and fgr/ (foreground) frame folders, com/ optional");
                if (!Directory.Exists(fgr)) throw new MediaFormatException(clip, "a clip needs fgr/ (foreground) frames beside pha/");
                _clips.Add(Check(name, FrameFiles.List(fgr), FrameFiles.List(pha), Directory.Exists(com) ? FrameFiles.List(com) : null, trainWidth, trainHeight, cancel));
            }
        }
        if (_clips.Count == 0) throw new MediaFormatException(folder, "holds no clips (fgr/CLIP + pha/CLIP, or CLIP/com|fgr|pha)");
        var first = _clips[0];
        _reduce = ImageTensors.ReductionFor(_clips.Min(c => c.Width), _clips.Min(c => c.Height), trainWidth, trainHeight);
        Description = $"{_clips.Count} clip{(_clips.Count == 1 ? "" : "s")} ({_clips.Sum(c => c.Pha.Length)} frames) from {folder}";
    }

    public string Description { get; }

    /// <summary>The first clip without a composite (<c>com/</c>), which is trained over a background; null when every clip has one.</summary>
    public string? BareClip => _clips.FirstOrDefault(c => c.Com is null)?.Name;

    public int Count => _clips.Count;

    public MattingSequence Read(int index, TrainingRandom rng, int frames)
    {
        var clip = _clips[index];
        var indices = FrameSampler.Indices(rng, clip.Pha.Length, frames);
        var fgr = stack(indices.Select(i => ReadRgb(clip, clip.Fgr[i])), 0);
        var pha = stack(indices.Select(i => ReadGray(clip, clip.Pha[i])), 0);
        var com = clip.Com is null ? null : stack(indices.Select(i => ReadRgb(clip, clip.Com[i])), 0);
        return new MattingSequence(fgr, pha, com);
    }

    private Tensor ReadRgb(Clip clip, string path)
    {
        var image = FrameFiles.ReadRgb(path);
        CheckSize(clip, path, image.Width, image.Height);
        return ImageTensors.FromRgb(ImageTensors.Reduce(image, _reduce));
    }

    private Tensor ReadGray(Clip clip, string path)
    {
        var image = FrameFiles.ReadGray(path);
        CheckSize(clip, path, image.Width, image.Height);
        return ImageTensors.FromGray(ImageTensors.Reduce(image, _reduce));
    }

    private static void CheckSize(Clip clip, string path, int width, int height)
    {
        if (width != clip.Width || height != clip.Height)
            throw new MediaFormatException(path, $"is {width}x{height}, but the clip's frames are {clip.Width}x{clip.Height}");
    }

    private static Clip Check(string name, string[] fgr, string[] pha, string[]? com, int trainWidth, int trainHeight, CancellationToken cancel)
    {
        if (fgr.Length != pha.Length)
            throw new MediaFormatException(Path.GetDirectoryName(pha[0])!, $"clip {name}: {pha.Length} alpha frames but {fgr.Length} foreground frames");
        if (com is not null && com.Length != pha.Length)
            throw new MediaFormatException(Path.GetDirectoryName(com[0])!, $"clip {name}: {com.Length} composite frames but {pha.Length} alpha frames");
        var alpha = FrameFiles.ReadGray(pha[0]);
        var colour = FrameFiles.ReadRgb(fgr[0]);
        if (alpha.Width != colour.Width || alpha.Height != colour.Height)
            throw new MediaFormatException(pha[0], $"is {alpha.Width}x{alpha.Height}, but {Path.GetFileName(fgr[0])} (foreground) is {colour.Width}x{colour.Height}");
        if (alpha.Width < trainWidth || alpha.Height < trainHeight)
            throw new MediaFormatException(pha[0], $"clip {name} is {alpha.Width}x{alpha.Height}, smaller than the training size {trainWidth}x{trainHeight}");
        foreach (var frame in fgr.Concat(pha).Concat(com ?? Array.Empty<string>()))
        {
            cancel.ThrowIfCancellationRequested();
            var size = FrameFiles.HeaderSize(frame);
            if (size != (alpha.Width, alpha.Height))
                throw new MediaFormatException(frame, $"is {size.Width}x{size.Height}, but the clip's frames are {alpha.Width}x{alpha.Height}");
        }
        return new Clip(name, fgr, pha, com, alpha.Width, alpha.Height);
    }
}
