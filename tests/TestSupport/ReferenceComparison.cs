using Xunit.Abstractions;

namespace MatteKit.Tests.TestSupport;

/// <summary>
/// Compares outputs with the stored tensors of a <see cref="ReferenceCase"/>: prints max/mean |difference| per
/// tensor and frame, keeps the worst, and collects every breach of the tolerances.
/// </summary>
public sealed class ReferenceComparison
{
    private readonly ReferenceCase _case;
    private readonly Dictionary<string, (double Max, double Mean)> _tolerances;
    private readonly ITestOutputHelper _log;
    private readonly string _label;

    public ReferenceComparison(ReferenceCase refCase, Dictionary<string, (double Max, double Mean)> tolerances, ITestOutputHelper log, string label)
    {
        _case = refCase;
        _tolerances = tolerances;
        _log = log;
        _label = label;
    }

    public Dictionary<string, (double Max, double Mean)> Worst { get; } = new();
    public List<string> Failures { get; } = new();

    /// <summary>
    /// Compares tensor <paramref name="key"/> after frame <paramref name="frame"/> if it is stored (full or as
    /// windows of a planar tensor with <paramref name="channels"/> channels). <paramref name="check"/> false: print only.
    /// </summary>
    public void Compare(int frame, string key, ReadOnlySpan<float> values, int channels, bool check = true)
    {
        var expected = _case.Stored(frame, key, out bool asWindows);
        if (expected is null) return;
        var actual = asWindows ? _case.ExtractWindows(values, channels) : values.ToArray();
        var (max, mean) = AbsDifference.Of(expected, actual);
        _log.WriteLine($"{_case.Name} ({_label}) frame {frame} {key}{(asWindows ? " (windows)" : "")}: max {max:E2} mean {mean:E2}{(check ? "" : " (not checked)")}");
        if (!check) return;
        var (maxTol, meanTol) = _tolerances[key];
        if (max > maxTol || mean > meanTol)
            Failures.Add($"frame {frame} {key}: max {max:E2} (tol {maxTol:E0}), mean {mean:E2} (tol {meanTol:E0})");
        var w = Worst.GetValueOrDefault(key);
        Worst[key] = (Math.Max(w.Max, max), Math.Max(w.Mean, mean));
    }

    /// <summary>
    /// Mattes the case's frames one by one with <paramref name="matter"/>, state carried, comparing fgr and pha
    /// (printed only when <paramref name="checkMatte"/> is false) and the states after each frame.
    /// </summary>
    public void CompareMattingFrames(MatteKit.VideoMatter matter, bool checkMatte = true)
    {
        for (int i = 0; i < _case.Frames.Length; i++)
        {
            var result = matter.Process(_case.SourceRgb24(i), _case.Width, _case.Height, _case.DownsampleRatio);
            Compare(i, "fgr", result.Foreground, 3, checkMatte);
            Compare(i, "pha", result.Alpha, 1, checkMatte);
            for (int s = 0; s < 4; s++) Compare(i, $"r{s + 1}", matter.RecurrentState(s), 0);
        }
    }

    /// <summary>Prints the worst values and fails on any breach, or when none of <paramref name="mustHave"/> was compared.</summary>
    public void AssertAll(params string[] mustHave)
    {
        _log.WriteLine($"{_case} ({_label}) worst: " + string.Join(", ", Worst.Select(kv => $"{kv.Key} max {kv.Value.Max:E2} mean {kv.Value.Mean:E2}")));
        Assert.True(Failures.Count == 0, string.Join("; ", Failures));
        foreach (var key in mustHave) Assert.True(Worst.ContainsKey(key), $"{key} was never compared");
    }
}
