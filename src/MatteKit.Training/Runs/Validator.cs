using MatteKit.Media;
using MatteKit.Metrics;
using MatteKit.Training.Bgm;
using MatteKit.Training.Data;
using MatteKit.Training.Network;
using static TorchSharp.torch;

namespace MatteKit.Training.Runs;

/// <summary>
/// Scores the network on held-out clips in the evaluation layout (<c>CLIP/com|fgr|pha</c>, and <c>CLIP/bgr</c>, the
/// plate of each frame, for BGMv2 as <c>mattekit compose-dataset</c> writes it): each clip's frames in order (RVM:
/// the recurrent state carried), at ratio 1, scored with MatteKit's metrics (the numbers <c>mattekit evaluate</c>
/// prints): MAD, MSE, Grad and dtSSD, averaged over the clips. Frames are reduced by an integer factor to at most
/// <see cref="MaxSide"/> on the longer side, and at most <see cref="MaxFrames"/> per clip; with plates they are also
/// cropped to multiples of 4 (the refiner's 4x4 patches).
/// </summary>
internal sealed class Validator
{
    public const int MaxSide = 512, MaxFrames = 60;
    private readonly List<Clip> _clips = new();

    /// <param name="plates">BGMv2: each clip also needs <c>bgr/</c>, the plate of each frame.</param>
    public Validator(string folder, CancellationToken cancel = default, bool plates = false)
    {
        if (!Directory.Exists(folder)) throw new MediaFormatException(folder, "folder not found");
        var clips = Directory.Exists(Path.Combine(folder, "pha")) ? new[] { folder } : Directory.EnumerateDirectories(folder).Order(NaturalOrder.Instance).ToArray();
        string layout = plates ? "com/, pha/ and bgr/" : "com/ and pha/";
        foreach (var clip in clips)
        {
            cancel.ThrowIfCancellationRequested();
            string com = Path.Combine(clip, "com"), pha = Path.Combine(clip, "pha"), bgr = Path.Combine(clip, "bgr");
            if (!Directory.Exists(com) || !Directory.Exists(pha) || (plates && !Directory.Exists(bgr)))
                throw new MediaFormatException(clip, $"a validation clip needs {layout} frame folders");
            var comFiles = FrameFiles.List(com).Take(MaxFrames).ToArray();
            var phaFiles = FrameFiles.List(pha).Take(MaxFrames).ToArray();
            if (comFiles.Length != phaFiles.Length) throw new MediaFormatException(pha, $"{phaFiles.Length} alpha frames but {comFiles.Length} composite frames");
            var bgrFiles = plates ? FrameFiles.List(bgr).Take(MaxFrames).ToArray() : null;
            if (bgrFiles is not null && bgrFiles.Length != comFiles.Length) throw new MediaFormatException(bgr, $"{bgrFiles.Length} plate frames but {comFiles.Length} composite frames");
            var first = FrameFiles.ReadRgb(comFiles[0]);
            int factor = Math.Max(1, (int)Math.Ceiling(Math.Max(first.Width, first.Height) / (double)MaxSide));
            using var scope = NewDisposeScope();
            var c = stack(comFiles.Select(f => ImageTensors.FromRgb(ImageTensors.Reduce(Checked(FrameFiles.ReadRgb(f), first, f), factor))), 0);
            var p = stack(phaFiles.Select(f => ImageTensors.FromGray(ImageTensors.Reduce(Checked(FrameFiles.ReadGray(f), first, f), factor))), 0);
            var b = bgrFiles is null ? null : stack(bgrFiles.Select(f => ImageTensors.FromRgb(ImageTensors.Reduce(Checked(FrameFiles.ReadRgb(f), first, f), factor))), 0);
            if (b is not null)
            {
                long h = c.shape[2] / 4 * 4, w = c.shape[3] / 4 * 4;
                if (h == 0 || w == 0) throw new MediaFormatException(clip, $"frames of {c.shape[3]}x{c.shape[2]} (reduced) are too small to validate on");
                (c, p, b) = (Cropped(c, h, w), Cropped(p, h, w), Cropped(b, h, w));
            }
            _clips.Add(new Clip(Path.GetFileName(Path.TrimEndingDirectorySeparator(clip)), c.MoveToOuterDisposeScope(), p.MoveToOuterDisposeScope(), b?.MoveToOuterDisposeScope()));
        }
        if (_clips.Count == 0) throw new MediaFormatException(folder, $"holds no validation clips ({(plates ? "CLIP/com + CLIP/pha + CLIP/bgr" : "CLIP/com + CLIP/pha")})");
    }

    public int ClipCount => _clips.Count;

    /// <summary>The first clip's middle frame, for the report's before/after pictures.</summary>
    public (Tensor Com, Tensor Pha, int Index) ReportFrame => (_clips[0].Com, _clips[0].Pha, (int)_clips[0].Com.shape[0] / 2);

    /// <summary>The network's alpha <c>[H, W]</c> for <see cref="ReportFrame"/> as the last <see cref="Score(MattingNetwork, long, Action)"/> produced it.</summary>
    public Tensor? ReportAlpha { get; private set; }

    /// <summary>RVM: each clip's frames in order, the recurrent state carried.</summary>
    public ValidationRecord Score(MattingNetwork network, long step, Action restoreTrainingMode)
    {
        network.eval();
        Tensor?[] states = Array.Empty<Tensor?>();
        var record = ScoreClips(step, (clip, t) =>
        {
            if (t == 0) states = new Tensor?[4];
            var (_, predicted, next) = network.Matte(clip.Com[t].unsqueeze(0).unsqueeze(0), states);
            states = next;
            return predicted[0, 0, 0];
        });
        restoreTrainingMode();
        return record;
    }

    /// <summary>
    /// BGMv2: each frame with its plate, through the base network (<paramref name="whole"/> false) or the whole
    /// network with its refiner (as plate mode runs it), batch norm in eval mode.
    /// </summary>
    public ValidationRecord Score(BgmMattingNetwork network, bool whole, long step, Action restoreTrainingMode)
    {
        network.eval();
        var record = ScoreClips(step, (clip, t) =>
        {
            var plate = clip.Bgr ?? throw new InvalidOperationException("BGMv2 validation needs the plates (bgr/)");
            var (src, bgr) = (clip.Com[t].unsqueeze(0), plate[t].unsqueeze(0));
            return (whole ? network.Refine(src, bgr).Alpha : network.Base(src, bgr).Alpha)[0, 0];
        });
        restoreTrainingMode();
        return record;
    }

    /// <summary>Scores every clip with <paramref name="alphaOf"/> (a clip and a frame index to alpha <c>[H, W]</c>).</summary>
    private ValidationRecord ScoreClips(long step, Func<Clip, int, Tensor> alphaOf)
    {
        var scores = new List<MetricValues>();
        using (no_grad())
        {
            foreach (var clip in _clips)
            {
                using var scope = NewDisposeScope();
                int h = (int)clip.Com.shape[2], w = (int)clip.Com.shape[3];
                var evaluator = new ClipEvaluator(clip.Name, w, h);
                for (int t = 0; t < clip.Com.shape[0]; t++)
                {
                    var predicted = alphaOf(clip, t);
                    evaluator.Add(t.ToString(), predicted.contiguous().data<float>().ToArray(), clip.Pha[t].contiguous().data<float>().ToArray());
                    if (scores.Count == 0 && t == ReportFrame.Index)
                    {
                        ReportAlpha?.Dispose();
                        // Kept outside every dispose scope (a validation may run inside a training step's): replaced, and disposed, here only.
                        ReportAlpha = predicted.clone().DetachFromDisposeScope();
                    }
                }
                scores.Add(evaluator.Finish().Mean);
            }
        }
        return new ValidationRecord(step, scores.Average(s => s.Mad), scores.Average(s => s.Mse), scores.Average(s => s.Grad), scores.Average(s => s.DtSsd));
    }

    /// <summary>The report's pictures: the composite, the true alpha, the alpha before training and after <paramref name="step"/> steps.</summary>
    public List<(string Caption, byte[] Png)> ReportPictures(byte[]? beforeAlpha, long step, string beforeCaption)
    {
        var (com, pha, index) = ReportFrame;
        var pictures = new List<(string, byte[])>
        {
            ($"composite (validation frame {index})", TrainingReport.Png((int)com.shape[3], (int)com.shape[2], ImageTensors.ToInterleavedBytes(com[index]), 3)),
            ("true alpha", AlphaPng(pha[index, 0])),
        };
        if (beforeAlpha is not null) pictures.Add((beforeCaption, beforeAlpha));
        // A finished run validates its last step; only a resumed run with nothing left to do has no alpha here.
        if (ReportAlpha is { } after) pictures.Add(($"alpha after {step} steps", AlphaPng(after)));
        return pictures;
    }

    /// <summary>PNG bytes of an alpha <c>[H, W]</c> in 0..1.</summary>
    public static byte[] AlphaPng(Tensor alpha) =>
        TrainingReport.Png((int)alpha.shape[^1], (int)alpha.shape[^2], ImageTensors.ToInterleavedBytes(alpha.unsqueeze(0)), 1);

    private static Tensor Cropped(Tensor frames, long height, long width) => frames.narrow(2, 0, height).narrow(3, 0, width);

    private static T Checked<T>(T image, PixelImage first, string path) where T : PixelImage =>
        image.Width == first.Width && image.Height == first.Height ? image
            : throw new MediaFormatException(path, $"is {image.Width}x{image.Height}, but the clip's first frame is {first.Width}x{first.Height}");

    private sealed record Clip(string Name, Tensor Com, Tensor Pha, Tensor? Bgr);
}
