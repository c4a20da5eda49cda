using MatteKit.Inference;

namespace MatteKit.Live;

/// <summary>
/// One matted frame as <see cref="LiveMatter"/> hands it to its handler: the input, alpha, foreground and the
/// composition over the session's background. The spans are views of buffers reused for the next frame, valid
/// only inside the handler.
/// </summary>
public sealed class LiveFrame
{
    private readonly FrameSlot _slot;
    private readonly Func<FrameSlot, ReadOnlyMemory<byte>> _compose;
    private ReadOnlyMemory<byte>? _composition;

    internal LiveFrame(FrameSlot slot, long index, long sourceIndex, TimeSpan waited, bool transparent, Func<FrameSlot, ReadOnlyMemory<byte>> compose)
    {
        _slot = slot;
        Index = index;
        SourceIndex = sourceIndex;
        Waited = waited;
        Transparent = transparent;
        _compose = compose;
    }

    /// <summary>This frame's number among the frames output (0, 1, 2, ...).</summary>
    public long Index { get; }

    /// <summary>Its number among the frames submitted: gaps are the frames dropped before it.</summary>
    public long SourceIndex { get; }

    /// <summary>How long it waited between its arrival and the start of its matting.</summary>
    public TimeSpan Waited { get; }

    public int Width => _slot.Width;

    public int Height => _slot.Height;

    /// <summary>The frame as submitted, interleaved 8-bit RGB.</summary>
    public ReadOnlySpan<byte> Input => _slot.Rgb.AsSpan(0, _slot.Pixels * 3);

    /// <summary>Alpha, one byte per pixel.</summary>
    public ReadOnlySpan<byte> Alpha => _slot.Alpha.AsSpan(0, _slot.Pixels);

    /// <summary>Foreground colour, interleaved 8-bit RGB.</summary>
    public ReadOnlySpan<byte> Foreground => _slot.Foreground.AsSpan(0, _slot.Pixels * 3);

    /// <summary>Whether <see cref="Composition"/> is straight RGBA (a transparent background) rather than RGB.</summary>
    public bool Transparent { get; }

    /// <summary>The foreground over the session's background: RGB, or RGBA when <see cref="Transparent"/>. Made on first use.</summary>
    public ReadOnlySpan<byte> Composition => (_composition ??= _compose(_slot)).Span;
}
