using MatteKit.Media;
using MatteKit.Metrics;
using MatteKit.Training.Data;
using MatteKit.Training.Network;
using static TorchSharp.torch;

namespace MatteKit.Training.Runs;

/// <summary>
/// Scores the network on held-out clips in the evaluation layout (<c>CLIP/com|fgr|pha</c>): each clip's frames in
/// order with the recurrent state carried, at ratio 1, scored with MatteKit's metrics (the numbers
/// <c>mattekit evaluate</c> prints): MAD, MSE, Grad and dtSSD, averaged over the clips. Frames are reduced by an
/// integer factor to at most <see cref="MaxSide"/> on the longer side, and at most <see cref="MaxFrames"/> per clip.
/// </summary>
internal sealed class Validator
{
    public const int MaxSide = 512, MaxFrames = 60;
    private readonly List<(string Name, Tensor Com, Tensor Pha)> _clips = new();

    public Validator(string folder, CancellationToken cancel = default)
    {
        if (!Directory.Exists(folder)) throw new MediaFormatException(folder, "folder not found");
        var clips = Directory.Exists(Path.Combine(folder, "pha")) ? new[] { folder } : Directory.EnumerateDirectories(folder).Order(NaturalOrder.Instance).ToArray();
        foreach (var clip in clips)
        {
            cancel.ThrowIfCancellationRequested();
            string com = Path.Combine(clip, "com"), pha = Path.Combine(clip, "pha");
            if (!Directory.Exists(com) || !Directory.Exists(pha)) throw new MediaFormatException(clip, "a validation clip needs com/ and pha/ frame folders");
            var comFiles = FrameFiles.List(com).Take(MaxFrames).ToArray();
            var phaFiles = FrameFiles.List(pha).Take(MaxFrames).ToArray();
            if (comFiles.Length != phaFiles.Length) throw new MediaFormatException(pha, $"{phaFiles.Length} alpha frames but {comFiles.Length} composite frames");
            var first = FrameFiles.ReadRgb(comFiles[0]);
            int factor = Math.Max(1, (int)Math.Ceiling(Math.Max(first.Width, first.Height) / (double)MaxSide));
            using var scope = NewDisposeScope();
            var c = stack(comFiles.Select(f => ImageTensors.FromRgb(ImageTensors.Reduce(Checked(FrameFiles.ReadRgb(f), first, f), factor))), 0);
            var p = stack(phaFiles.Select(f => ImageTensors.FromGray(ImageTensors.Reduce(Checked(FrameFiles.ReadGray(f), first, f), factor))), 0);
            _clips.Add((Path.GetFileName(Path.TrimEndingDirectorySeparator(clip)), c.MoveToOuterDisposeScope(), p.MoveToOuterDisposeScope()));
        }
        if (_clips.Count == 0) throw new MediaFormatException(folder, "holds no validation clips (CLIP/com + CLIP/pha)");
    }

    public int ClipCount => _clips.Count;

    /// <summary>The first clip's middle frame, for the report's before/after pictures.</summary>
    public (Tensor Com, Tensor Pha, int Index) ReportFrame => (_clips[0].Com, _clips[0].Pha, (int)_clips[0].Com.shape[0] / 2);

    /// <summary>The network's alpha <c>[H, W]</c> for <see cref="ReportFrame"/> as the last <see cref="Score"/> produced it.</summary>
    public Tensor? ReportAlpha { get; private set; }

    public ValidationRecord Score(MattingNetwork network, long step, Action restoreTrainingMode)
    {
        network.eval();
        var scores = new List<MetricValues>();
        using (no_grad())
        {
            foreach (var (name, com, pha) in _clips)
            {
                using var scope = NewDisposeScope();
                int h = (int)com.shape[2], w = (int)com.shape[3];
                var evaluator = new ClipEvaluator(name, w, h);
                Tensor?[] states = new Tensor?[4];
                for (int t = 0; t < com.shape[0]; t++)
                {
                    var (_, predicted, next) = network.Matte(com[t].unsqueeze(0).unsqueeze(0), states);
                    states = next;
                    evaluator.Add(t.ToString(), predicted.contiguous().data<float>().ToArray(), pha[t].contiguous().data<float>().ToArray());
                    if (scores.Count == 0 && t == ReportFrame.Index)
                    {
                        ReportAlpha?.Dispose();
                        ReportAlpha = predicted[0, 0, 0].clone().MoveToOuterDisposeScope();
                    }
                }
                scores.Add(evaluator.Finish().Mean);
            }
        }
        restoreTrainingMode();
        return new ValidationRecord(step, scores.Average(s => s.Mad), scores.Average(s => s.Mse), scores.Average(s => s.Grad), scores.Average(s => s.DtSsd));
    }

    private static T Checked<T>(T image, PixelImage first, string path) where T : PixelImage =>
        image.Width == first.Width && image.Height == first.Height ? image
            : throw new MediaFormatException(path, $"is {image.Width}x{image.Height}, but the clip's first frame is {first.Width}x{first.Height}");
}
