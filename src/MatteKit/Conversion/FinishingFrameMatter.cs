using MatteKit.Compositing;
using MatteKit.Inference;

namespace MatteKit.Conversion;

/// <summary>
/// What finishes whatever another runner mattes, kept to a person or not: the edge controls on the alpha
/// (<see cref="MattingSettings.AlphaChoke"/>, <see cref="MattingSettings.AlphaFeather"/>, the levels), then the
/// foreground re-estimated from the frame and that final alpha (<see cref="MattingSettings.EstimateForeground"/>).
/// Every output and the composition take these. Wraps the outermost runner, so it is the last word on the matte.
/// </summary>
internal sealed class FinishingFrameMatter : IFrameMatter
{
    private readonly IFrameMatter _inner;
    private readonly MattingSettings _settings;
    private readonly AlphaEdges? _edges;
    private readonly ForegroundEstimation? _foreground;

    private FinishingFrameMatter(IFrameMatter inner, MattingSettings settings)
    {
        _inner = inner;
        _settings = settings;
        _edges = settings.Edges();
        _foreground = settings.EstimateForeground ? new ForegroundEstimation() : null;
    }

    /// <summary><paramref name="inner"/> finished as the settings ask; itself when they ask nothing.</summary>
    public static IFrameMatter Wrap(IFrameMatter inner, MattingSettings settings)
        => settings.HasEdgeControls || settings.EstimateForeground ? new FinishingFrameMatter(inner, settings) : inner;

    /// <summary>The runner whose alpha this one finishes.</summary>
    public IFrameMatter Inner => _inner;

    public int FramesPerCall => _inner.FramesPerCall;
    public double ResolvedRatio => _inner.ResolvedRatio;
    public (int Width, int Height) NetworkSize => _inner.NetworkSize;
    public string WeightsSource => _inner.WeightsSource;
    public bool HasRatio => _inner.HasRatio;

    public double? Ratio
    {
        get => _inner.Ratio;
        set => _inner.Ratio = value;
    }

    public void Reset() => _inner.Reset();

    public IFrameMatter OpenAnother() => Wrap(_inner.OpenAnother(), _settings);

    public void Matte(IReadOnlyList<FrameSlot> slots)
    {
        _inner.Matte(slots);
        foreach (var slot in slots)
        {
            if (slot.Warmup || slot.Alpha.Length < slot.Pixels) continue;
            _edges?.Apply(slot.Alpha.AsSpan(0, slot.Pixels), slot.Width, slot.Height);
            if (_foreground is not null && slot.Foreground.Length >= slot.Pixels * 3)
                _foreground.Estimate(slot.Rgb, slot.Alpha, slot.Width, slot.Height, slot.Foreground);
        }
    }

    public string? Describe(int frames)
    {
        var s = _settings;
        var parts = new List<string>();
        if (s.AlphaLevelLow > 0 || s.AlphaLevelHigh < 1) parts.Add($"levels {s.AlphaLevelLow:0.###}:{s.AlphaLevelHigh:0.###}");
        if (s.AlphaChoke != 0) parts.Add($"choke {s.AlphaChoke:0.##} px");
        if (s.AlphaFeather > 0) parts.Add($"feather {s.AlphaFeather:0.##} px");
        string edges = (parts.Count > 0 ? "alpha edges: " + string.Join(", ", parts) : "") +
                       (s.EstimateForeground ? (parts.Count > 0 ? "; " : "") + "foreground estimated from the frame and the alpha" : "");
        return _inner.Describe(frames) is { } inner ? inner + "; " + edges : edges;
    }

    public void Dispose() => _inner.Dispose();
}
