using MatteKit.Onnx;

namespace MatteKit.Layers;

/// <summary>
/// The one place where the blocks' operations (split in halves, the GRU's blend, a conv over a concatenation, see
/// <see cref="ConcatConv"/>) become ONNX that ONNX Runtime keeps in its blocked (NCHWc) layout, blocks of 16 channels
/// with AVX-512 (8 with AVX2). ORT keeps a conv's or a pool's input and output in that layout but has no blocked
/// Split or Sub, which would move tensors out of it and back; so where channels are block-aligned, slices and
/// negation are 1x1 convs with one-hot weights (exact in floats), and elsewhere the plain operation is emitted, the
/// layout being out of reach anyway. The blocks call these and state the paper's operation once.
/// </summary>
internal static class BlockedLayout
{
    /// <summary>Channels per block.</summary>
    public const int Multiple = 16;

    /// <summary>Zero channels that round <paramref name="channels"/> up to a whole number of blocks.</summary>
    public static int Extra(int channels) => (Multiple - channels % Multiple) % Multiple;

    public static bool Aligned(long channels) => channels % Multiple == 0;

    /// <summary>The first and second half of <paramref name="x"/>'s channels.</summary>
    public static (GraphValue First, GraphValue Second) SplitHalves(GraphBuilder g, GraphValue x)
    {
        int half = (int)x.Dim(1) / 2;
        if (Aligned(half)) return (Select(g, x, 0, half), Select(g, x, half, half));
        var halves = g.Split(x, 1, half, half);
        return (halves[0], halves[1]);
    }

    /// <summary>
    /// <c>(1 - z) * h + z * c</c>, the GRU's new state; with aligned channels as <c>h + z * (c - h)</c>, whose
    /// negation is a conv, so no op leaves the layout.
    /// </summary>
    public static GraphValue Blend(GraphBuilder g, GraphValue h, GraphValue z, GraphValue c)
    {
        if (Aligned(h.Dim(1))) return g.Add(h, g.Mul(z, g.Add(c, Select(g, h, 0, (int)h.Dim(1), -1f))));
        var keep = g.Sub(g.Constant(1f), z);
        return g.Add(g.Mul(keep, h), g.Mul(z, c));
    }

    /// <summary>
    /// A recurrent state unchanged, moved into the blocked layout when aligned: ONNX Runtime does that only on the way
    /// into a conv or pool, so a graph input would otherwise keep the element-wise ops that read it out of the layout.
    /// </summary>
    public static GraphValue EnterState(GraphBuilder g, GraphValue h) => Aligned(h.Dim(1)) ? g.MaxPool(h, 1, 1, 0) : h;

    /// <summary>The concatenation of <paramref name="parts"/> along channels, with zero channels up to a whole block.</summary>
    public static GraphValue ConcatPadded(GraphBuilder g, params GraphValue[] parts)
    {
        long channels = parts.Sum(p => p.Dim(1));
        int extra = Extra((int)channels);
        if (extra == 0) return g.Concat(1, parts);
        var zeros = g.Zeros(parts[0].Dim(0), extra, parts[0].Dim(2), parts[0].Dim(3));
        return g.Concat(1, parts.Append(zeros).ToArray());
    }

    /// <summary>Channels <c>[start, start + count)</c> of <paramref name="x"/>, times <paramref name="sign"/>, as a 1x1 conv.</summary>
    internal static GraphValue Select(GraphBuilder g, GraphValue x, int start, int count, float sign = 1f)
    {
        int channels = (int)x.Dim(1);
        var weight = new float[count * channels];
        for (int o = 0; o < count; o++) weight[o * channels + start + o] = sign;
        return g.Conv(x, g.Constant(weight, count, channels, 1, 1), null, (1, 1), (0, 0));
    }
}
