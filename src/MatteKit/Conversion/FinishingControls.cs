namespace MatteKit.Conversion;

/// <summary>
/// The finishing settings (edge controls, foreground estimation) that a <see cref="FinishingFrameMatter"/> reads at each
/// call, shared by every runner of one session (live builds a new runner for each ratio), so that a session may change
/// them while frames flow (the live page's edge controls). A change is a new <see cref="MattingSettings"/> record,
/// published whole.
/// </summary>
internal sealed class FinishingControls(MattingSettings settings)
{
    private MattingSettings _settings = settings;

    public MattingSettings Settings
    {
        get => Volatile.Read(ref _settings);
        set => Volatile.Write(ref _settings, value);
    }
}
