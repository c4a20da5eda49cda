namespace MatteKit.Inference;

/// <summary>
/// A runner that does something more with what another one mattes (keeps a person, applies a stored person pass,
/// finishes the edges): the network's own properties and state are the inner runner's, said once here; a wrapper
/// adds its step in <see cref="Matte"/> and its part of the summary line in <see cref="DescribeOwn"/>.
/// </summary>
internal abstract class FrameMatterWrapper : IFrameMatter
{
    protected FrameMatterWrapper(IFrameMatter inner) => Inner = inner;

    /// <summary>The runner whose frames this one takes further.</summary>
    public IFrameMatter Inner { get; }

    /// <summary><paramref name="matter"/> or the first runner of type <typeparamref name="T"/> it wraps, however deep; null when none.</summary>
    public static T? Find<T>(IFrameMatter matter) where T : class, IFrameMatter
        => matter as T ?? (matter is FrameMatterWrapper wrapper ? Find<T>(wrapper.Inner) : null);

    public int FramesPerCall => Inner.FramesPerCall;
    public double ResolvedRatio => Inner.ResolvedRatio;
    public (int Width, int Height) NetworkSize => Inner.NetworkSize;
    public string WeightsSource => Inner.WeightsSource;
    public bool HasRatio => Inner.HasRatio;

    public double? Ratio
    {
        get => Inner.Ratio;
        set => Inner.Ratio = value;
    }

    /// <summary>The inner runner's state only: what the wrapper follows goes on.</summary>
    public virtual void Reset() => Inner.Reset();

    public abstract void Matte(IReadOnlyList<FrameSlot> slots);

    public abstract IFrameMatter OpenAnother();

    /// <summary>The inner runner's line, then this one's part (<see cref="DescribeOwn"/>), joined by a semicolon.</summary>
    public string? Describe(int frames)
    {
        string? inner = Inner.Describe(frames), own = DescribeOwn(frames);
        return inner is null ? own : own is null ? inner : inner + "; " + own;
    }

    /// <summary>This wrapper's part of the summary line; null when it has nothing to say.</summary>
    protected abstract string? DescribeOwn(int frames);

    public virtual void Dispose() => Inner.Dispose();
}
