using MatteKit.Media;
using MatteKit.Metrics;

namespace MatteKit.Evaluation;

/// <summary>
/// Scores predictions against ground truth in the official RVM evaluation layout: <c>DIR/&lt;clip&gt;/pha/*.png</c>
/// (8-bit grey, read as value / 255) and optionally <c>DIR/&lt;clip&gt;/fgr/*.png</c>; a DIR that itself holds
/// <c>pha/</c> is one clip. Every ground-truth clip and frame must have a prediction of the same name and size
/// (the official scripts need the same file names too); foreground metrics are computed where both sides have
/// <c>fgr/</c>.
/// </summary>
internal static class MatteEvaluator
{
    public static DatasetScores Evaluate(string predicted, string truth, Action<string>? log = null)
    {
        var clips = new List<ClipScores>();
        foreach (var (name, trueClip, predClip) in PairClips(predicted, truth))
        {
            clips.Add(EvaluateClip(name, predClip, trueClip));
            log?.Invoke($"{name}: {clips[^1].Frames.Count} frame(s)");
        }
        return DatasetScores.FromClips(clips);
    }

    /// <summary>(clip name, true clip folder, predicted clip folder) for every ground-truth clip.</summary>
    internal static List<(string Name, string True, string Predicted)> PairClips(string predicted, string truth)
    {
        if (!Directory.Exists(truth)) throw new MediaFormatException(truth, "no such folder");
        if (!Directory.Exists(predicted)) throw new MediaFormatException(predicted, "no such folder");
        if (Directory.Exists(Path.Combine(truth, "pha")))
            return [(Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(truth))), truth, predicted)];
        var names = Directory.EnumerateDirectories(truth).Where(d => Directory.Exists(Path.Combine(d, "pha")))
            .Select(d => Path.GetFileName(d)).Order(NaturalOrder.Instance).ToList();
        if (names.Count == 0) throw new MediaFormatException(truth, "holds no clips (folders with pha/ inside)");
        var pairs = new List<(string, string, string)>();
        foreach (var name in names)
        {
            var predClip = Path.Combine(predicted, name);
            if (!Directory.Exists(Path.Combine(predClip, "pha")))
                throw new MediaFormatException(Path.Combine(predClip, "pha"), $"missing: the ground truth has clip {name}");
            pairs.Add((name, Path.Combine(truth, name), predClip));
        }
        return pairs;
    }

    /// <summary>
    /// Every file an evaluation of these folders may read (the PNG frames of <c>pha/</c>, <c>fgr/</c> and <c>com/</c>
    /// of each clip on both sides), by role, for the check that no output replaces one of them.
    /// </summary>
    internal static List<(string Role, string Path)> InputFiles(string predicted, string truth)
    {
        var files = new List<(string Role, string Path)>();
        void Add(string role, string folder)
        {
            if (!Directory.Exists(folder)) return;
            foreach (var file in Directory.EnumerateFiles(folder).Where(f => f.EndsWith(".png", StringComparison.OrdinalIgnoreCase)))
                files.Add((role, file));
        }
        foreach (var (_, trueClip, predClip) in PairClips(predicted, truth))
            foreach (var layer in new[] { "pha", "fgr", "com" })
            {
                Add("a ground-truth frame", Path.Combine(trueClip, layer));
                Add("a predicted frame", Path.Combine(predClip, layer));
            }
        return files;
    }

    private static ClipScores EvaluateClip(string name, string predClip, string trueClip)
    {
        var trueFrames = ImageSequence.ListPngFiles(Path.Combine(trueClip, "pha"));
        bool withForeground = Directory.Exists(Path.Combine(trueClip, "fgr")) && Directory.Exists(Path.Combine(predClip, "fgr"));
        ClipEvaluator? evaluator = null;
        foreach (var trueFile in trueFrames)
        {
            var frame = Path.GetFileName(trueFile);
            var trueAlpha = ReadAlpha(trueFile, out int w, out int h);
            var predFile = Path.Combine(predClip, "pha", frame);
            if (!File.Exists(predFile)) throw new MediaFormatException(predFile, $"missing: the ground truth has {Path.Combine(name, "pha", frame)}");
            var predAlpha = ReadAlpha(predFile, out int pw, out int ph);
            if (pw != w || ph != h) throw new MediaFormatException(predFile, $"is {pw}x{ph}, the ground truth is {w}x{h}");
            evaluator ??= new ClipEvaluator(name, w, h);
            if (w != evaluator.Width || h != evaluator.Height)
                throw new MediaFormatException(trueFile, $"is {w}x{h}, earlier frames of the clip are {evaluator.Width}x{evaluator.Height}");
            if (withForeground)
            {
                var trueRgb = ReadRgb(Path.Combine(trueClip, "fgr", frame), w, h);
                var predRgb = ReadRgb(Path.Combine(predClip, "fgr", frame), w, h);
                evaluator.Add(frame, predAlpha, trueAlpha, predRgb, trueRgb);
            }
            else
            {
                evaluator.Add(frame, predAlpha, trueAlpha);
            }
        }
        return (evaluator ?? throw new InvalidOperationException("ListPngFiles lists at least one frame")).Finish();
    }

    internal static float[] ReadAlpha(string path, out int width, out int height)
    {
        var (w, h, gray) = PngFile.ReadGray(path);
        (width, height) = (w, h);
        return ToUnit(gray);
    }

    private static float[] ReadRgb(string path, int width, int height)
    {
        if (!File.Exists(path)) throw new MediaFormatException(path, "missing: the other side has this foreground frame");
        var image = PngFile.ReadRgb(path);
        if (image.Width != width || image.Height != height)
            throw new MediaFormatException(path, $"is {image.Width}x{image.Height}, the alpha is {width}x{height}");
        return ToUnit(image.Pixels);
    }

    private static float[] ToUnit(byte[] values)
    {
        var result = new float[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = values[i] / 255f;
        return result;
    }
}
