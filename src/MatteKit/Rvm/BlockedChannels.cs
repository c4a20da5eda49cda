using MatteKit.Onnx;

namespace MatteKit.Rvm;

/// <summary>
/// Channel slicing and negation as 1x1 convs with one-hot weights (+1 or -1), exact in floats. ONNX Runtime keeps a
/// conv's input and output in its blocked (NCHWc) layout, but has no blocked Split or Sub: those would move the
/// tensors out of the layout and back, which costs more than these small convs.
/// </summary>
internal static class BlockedChannels
{
    /// <summary>Channels <c>[start, start + count)</c> of <paramref name="x"/>, times <paramref name="sign"/>.</summary>
    public static GraphValue Select(GraphBuilder g, GraphValue x, int start, int count, float sign = 1f)
    {
        int channels = (int)x.Dim(1);
        var weight = new float[count * channels];
        for (int o = 0; o < count; o++) weight[o * channels + start + o] = sign;
        return g.Conv(x, g.Constant(weight, count, channels, 1, 1), null, (1, 1), (0, 0));
    }

    /// <summary>
    /// The first and second half of <paramref name="x"/>'s channels: by 1x1 convs when the halves are block-aligned,
    /// so they stay in the blocked layout, else by a plain split (the layout is out of reach anyway).
    /// </summary>
    public static (GraphValue First, GraphValue Second) Halves(GraphBuilder g, GraphValue x)
    {
        int half = (int)x.Dim(1) / 2;
        if (half % ChannelPadding.Multiple == 0) return (Select(g, x, 0, half), Select(g, x, half, half));
        var halves = g.Split(x, 1, half, half);
        return (halves[0], halves[1]);
    }

    /// <summary><c>-x</c>.</summary>
    public static GraphValue Negate(GraphBuilder g, GraphValue x) => Select(g, x, 0, (int)x.Dim(1), -1f);

    /// <summary>
    /// <paramref name="x"/> unchanged, moved into the blocked layout: ONNX Runtime does that only on the way into a
    /// conv or pool, so a graph input would otherwise keep the element-wise ops that read it out of the layout.
    /// </summary>
    public static GraphValue Enter(GraphBuilder g, GraphValue x) => g.MaxPool(x, 1, 1, 0);
}
