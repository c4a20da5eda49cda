using MatteKit.Onnx;

namespace MatteKit.Layers;

/// <summary>
/// A conv over the concatenation of several inputs along channels, <c>conv([a, b, ...])</c>, emitted for the blocked
/// layout (<see cref="BlockedLayout"/>): two inputs whose first is block-aligned run as <c>conv_a(a) + conv_b(b)</c>
/// (no concat, and no padding of the odd total at the decoder's full resolution); otherwise the concatenation is padded
/// with zero channels to a whole block and the kernel with zero weights, which leaves the result unchanged.
/// </summary>
internal sealed class ConcatConv
{
    private readonly ConvLayer? _padded;
    private readonly (ConvLayer First, ConvLayer Second)? _split;

    /// <param name="conv">The conv as the weights hold it, over all <paramref name="partChannels"/> in order.</param>
    /// <param name="partChannels">The channels of each concatenated input, in order.</param>
    public ConcatConv(ConvLayer conv, params int[] partChannels)
    {
        if (partChannels.Sum() != conv.Shape[1]) throw new ArgumentException($"{conv.Name}: parts of {partChannels.Sum()} channels for a kernel over {conv.Shape[1]}");
        if (partChannels.Length == 2 && BlockedLayout.Aligned(partChannels[0])) _split = SplitInputs(conv, partChannels[0]);
        else _padded = PadInputs(conv, BlockedLayout.Extra(conv.Shape[1]));
    }

    public GraphValue Forward(GraphBuilder g, params GraphValue[] parts)
        => _split is { } split
            ? g.Add(split.First.Forward(g, parts[0]), split.Second.Forward(g, parts[1]))
            : (_padded ?? throw new InvalidOperationException("the constructor sets the split or the padded conv")).Forward(g, BlockedLayout.ConcatPadded(g, parts));

    /// <summary>The kernel with <paramref name="extra"/> zero input channels appended.</summary>
    private static ConvLayer PadInputs(ConvLayer conv, int extra)
    {
        if (extra == 0) return conv;
        int outC = conv.Shape[0], inC = conv.Shape[1], k2 = conv.Shape[2] * conv.Shape[3];
        var padded = new float[outC * (inC + extra) * k2];
        for (int o = 0; o < outC; o++)
            Array.Copy(conv.Weight, o * inC * k2, padded, o * (inC + extra) * k2, inC * k2);
        return new ConvLayer(conv.Name, padded, new[] { outC, inC + extra, conv.Shape[2], conv.Shape[3] }, conv.Bias, extra);
    }

    /// <summary>The kernel over input channels [0, first) (with the bias) and over the rest (without).</summary>
    private static (ConvLayer, ConvLayer) SplitInputs(ConvLayer conv, int first)
    {
        int outC = conv.Shape[0], inC = conv.Shape[1], k2 = conv.Shape[2] * conv.Shape[3];
        float[] Slice(int from, int count)
        {
            var w = new float[outC * count * k2];
            for (int o = 0; o < outC; o++) Array.Copy(conv.Weight, (o * inC + from) * k2, w, o * count * k2, count * k2);
            return w;
        }
        return (new ConvLayer($"{conv.Name}[0:{first}]", Slice(0, first), new[] { outC, first, conv.Shape[2], conv.Shape[3] }, conv.Bias),
                new ConvLayer($"{conv.Name}[{first}:{inC}]", Slice(first, inC - first), new[] { outC, inC - first, conv.Shape[2], conv.Shape[3] }, null));
    }
}
