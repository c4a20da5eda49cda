using MatteKit.Compositing;
using MatteKit.Inference;

namespace MatteKit.Conversion;

/// <summary>
/// The edge controls (<see cref="MattingSettings.AlphaChoke"/>, <see cref="MattingSettings.AlphaFeather"/>, the
/// levels) on whatever another runner mattes, kept to a person or not: the alpha every output and the composition
/// take. Wraps the outermost runner, so it is the last word on the matte.
/// </summary>
internal sealed class EdgeFrameMatter : IFrameMatter
{
    private readonly IFrameMatter _inner;
    private readonly MattingSettings _settings;
    private readonly AlphaEdges _edges;

    private EdgeFrameMatter(IFrameMatter inner, MattingSettings settings, AlphaEdges edges)
    {
        _inner = inner;
        _settings = settings;
        _edges = edges;
    }

    /// <summary><paramref name="inner"/> with the settings' edge controls; itself when they change nothing.</summary>
    public static IFrameMatter Wrap(IFrameMatter inner, MattingSettings settings)
        => settings.Edges() is { } edges ? new EdgeFrameMatter(inner, settings, edges) : inner;

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
            if (!slot.Warmup && slot.Alpha.Length >= slot.Pixels) _edges.Apply(slot.Alpha.AsSpan(0, slot.Pixels), slot.Width, slot.Height);
    }

    public string? Describe(int frames)
    {
        var s = _settings;
        var parts = new List<string>();
        if (s.AlphaLevelLow > 0 || s.AlphaLevelHigh < 1) parts.Add($"levels {s.AlphaLevelLow:0.###}:{s.AlphaLevelHigh:0.###}");
        if (s.AlphaChoke != 0) parts.Add($"choke {s.AlphaChoke:0.##} px");
        if (s.AlphaFeather > 0) parts.Add($"feather {s.AlphaFeather:0.##} px");
        string edges = "alpha edges: " + string.Join(", ", parts);
        return _inner.Describe(frames) is { } inner ? inner + "; " + edges : edges;
    }

    public void Dispose() => _inner.Dispose();
}
