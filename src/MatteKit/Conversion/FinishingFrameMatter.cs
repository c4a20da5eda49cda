using MatteKit.Compositing;
using MatteKit.Inference;

namespace MatteKit.Conversion;

/// <summary>
/// What finishes whatever another runner mattes, kept to a person or not: the edge controls on the alpha
/// (<see cref="MattingSettings.AlphaChoke"/>, <see cref="MattingSettings.AlphaFeather"/>, the levels), then the
/// foreground re-estimated from the frame and that final alpha (<see cref="MattingSettings.EstimateForeground"/>).
/// Every output and the composition take these, the unrounded values of deep outputs too. Wraps the outermost runner,
/// so it is the last word on the matte. The settings are read from <see cref="Controls"/> at each call.
/// </summary>
internal sealed class FinishingFrameMatter : FrameMatterWrapper
{
    private MattingSettings? _applied;
    private AlphaEdges? _edges;
    private ForegroundEstimation? _foreground;

    private FinishingFrameMatter(IFrameMatter inner, FinishingControls controls)
        : base(inner)
    {
        Controls = controls;
    }

    /// <summary>The settings this runner and the others of its session read.</summary>
    public FinishingControls Controls { get; }

    /// <summary>
    /// <paramref name="inner"/> finished as the settings ask; itself when they ask nothing and may not change
    /// (<paramref name="changeable"/>: a session whose settings may change later is always wrapped).
    /// </summary>
    public static IFrameMatter Wrap(IFrameMatter inner, MattingSettings settings, bool changeable = false)
        => changeable || settings.HasEdgeControls || settings.EstimateForeground ? new FinishingFrameMatter(inner, new FinishingControls(settings)) : inner;

    public override IFrameMatter OpenAnother() => new FinishingFrameMatter(Inner.OpenAnother(), Controls);

    public override void Matte(IReadOnlyList<FrameSlot> slots)
    {
        Inner.Matte(slots);
        var settings = Controls.Settings;
        if (!ReferenceEquals(settings, _applied))
        {
            // The steps keep their buffers between frames; they are made again only when the settings change.
            _applied = settings;
            _edges = settings.Edges();
            _foreground = settings.EstimateForeground ? _foreground ?? new ForegroundEstimation() : null;
        }
        foreach (var slot in slots)
        {
            if (slot.Warmup || slot.Alpha.Length < slot.Pixels) continue;
            if (_edges is not null && slot.HasDeep)
            {
                // On the unrounded alpha, then rounded into the 8-bit one: both say the same.
                _edges.Apply(slot.AlphaDeep.AsSpan(0, slot.Pixels), slot.Width, slot.Height);
                UnitToBytes.Gray8(slot.AlphaDeep.AsSpan(0, slot.Pixels), slot.Alpha);
            }
            else
            {
                _edges?.Apply(slot.Alpha.AsSpan(0, slot.Pixels), slot.Width, slot.Height);
            }
            if (_foreground is null || slot.Foreground.Length < slot.Pixels * 3) continue;
            if (!slot.HasDeep)
            {
                _foreground.Estimate(slot.Rgb, slot.Alpha, slot.Width, slot.Height, slot.Foreground);
                continue;
            }
            // Once, from the unrounded alpha; the 8-bit foreground is that estimate rounded.
            _foreground.Estimate(slot.Rgb, slot.AlphaDeep, slot.Width, slot.Height, slot.ForegroundDeep);
            UnitToBytes.Gray8(slot.ForegroundDeep.AsSpan(0, slot.Pixels * 3), slot.Foreground);
        }
    }

    protected override string? DescribeOwn(int frames) => Describe(Controls.Settings);

    /// <summary>The finishing settings in words (<c>alpha edges: levels 0.05:0.9, choke -2 px</c>); null when they ask nothing.</summary>
    public static string? Describe(MattingSettings s)
    {
        var parts = new List<string>();
        if (s.AlphaLevelLow > 0 || s.AlphaLevelHigh < 1) parts.Add($"levels {s.AlphaLevelLow:0.###}:{s.AlphaLevelHigh:0.###}");
        if (s.AlphaChoke != 0) parts.Add($"choke {s.AlphaChoke:0.##} px");
        if (s.AlphaFeather > 0) parts.Add($"feather {s.AlphaFeather:0.##} px");
        var said = new List<string>();
        if (parts.Count > 0) said.Add("alpha edges: " + string.Join(", ", parts));
        if (s.EstimateForeground) said.Add("foreground estimated from the frame and the alpha");
        return said.Count == 0 ? null : string.Join("; ", said);
    }
}
