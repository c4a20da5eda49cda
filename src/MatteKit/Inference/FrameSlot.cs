namespace MatteKit.Inference;

/// <summary>
/// One frame's buffers as it moves through the pipeline: the decoded RGB, then the 8-bit results (alpha, foreground,
/// and the grey maps a mode asks for: segmentation, or the plate mode's error and refined patches).
/// A fixed set of slots is reused for the whole input, so memory does not grow with its length.
/// </summary>
internal sealed class FrameSlot
{
    public byte[] Rgb = Array.Empty<byte>();
    public byte[] Alpha = Array.Empty<byte>();
    public byte[] Foreground = Array.Empty<byte>();
    public byte[] Segmentation = Array.Empty<byte>();
    public byte[] Error = Array.Empty<byte>();
    public byte[] Refined = Array.Empty<byte>();

    /// <summary>
    /// The network's alpha before it was rounded to 8 bits (0..1), for outputs deeper than 8 bits (16-bit PNG and ProRes,
    /// OpenEXR); valid when <see cref="HasDeep"/>. Whatever changes <see cref="Alpha"/> after the network (a subject kept,
    /// the edge controls) changes this too.
    /// </summary>
    public float[] AlphaDeep = Array.Empty<float>();

    /// <summary>The network's foreground before rounding: interleaved RGB, 0..1, sRGB-encoded as <see cref="Foreground"/>.</summary>
    public float[] ForegroundDeep = Array.Empty<float>();

    /// <summary>Whether the runner filled <see cref="AlphaDeep"/> and <see cref="ForegroundDeep"/> for this frame.</summary>
    public bool HasDeep;
    public int Width;
    public int Height;
    public int Index;

    /// <summary>A warm-up frame: matted to prime the recurrent state, never written.</summary>
    public bool Warmup;

    /// <summary>The source image's file name for image inputs, used to name PNG outputs; null for videos.</summary>
    public string? SourceName;

    public int Pixels => Width * Height;

    /// <summary>
    /// A frame made up to warm or time a network (<see cref="Blank(int, int)"/>), not one of the input: nothing that
    /// follows the input (a tracked person) learns from it.
    /// </summary>
    public bool IsBlank;

    /// <summary>A black frame of this size, its result buffers made: what a network is warmed or timed on.</summary>
    public static FrameSlot Blank(int width, int height)
    {
        var slot = new FrameSlot { Width = width, Height = height, Rgb = new byte[width * height * 3], IsBlank = true };
        slot.EnsureMatteBuffers();
        return slot;
    }

    public void EnsureMatteBuffers()
    {
        EnsureMap(ref Alpha);
        if (Foreground.Length < Pixels * 3) Foreground = new byte[Pixels * 3];
    }

    /// <summary>Makes the deep buffers (once; slots are reused) and marks them filled: the caller fills them now.</summary>
    public void EnsureDeepBuffers()
    {
        if (AlphaDeep.Length < Pixels) AlphaDeep = new float[Pixels];
        if (ForegroundDeep.Length < Pixels * 3) ForegroundDeep = new float[Pixels * 3];
        HasDeep = true;
    }

    /// <summary>Grows a one-channel buffer of this slot to the frame size (once; slots are reused).</summary>
    public void EnsureMap(ref byte[] map)
    {
        if (map.Length < Pixels) map = new byte[Pixels];
    }
}
