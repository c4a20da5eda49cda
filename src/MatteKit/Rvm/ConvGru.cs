using MatteKit.Onnx;
using MatteKit.Layers;

namespace MatteKit.Rvm;

/// <summary>
/// Convolutional GRU: <c>r, z = split(sigmoid(ih([x, h])))</c>, <c>c = tanh(hh([x, r * h]))</c>,
/// <c>h' = (1 - z) * h + z * c</c>. Each new state is also the block's output for that frame. Given T frames
/// (the batch axis is time), it steps through them in order, carrying h.
/// </summary>
internal sealed class ConvGru
{
    private readonly ConvLayer _ih;
    private readonly ConvLayer _hh;

    public ConvGru(WeightSet w, string prefix, int channels)
    {
        _ih = ConvLayer.Load(w, prefix + ".ih.0", channels * 2, channels * 2, 3);
        _hh = ConvLayer.Load(w, prefix + ".hh.0", channels, channels * 2, 3);
    }

    /// <summary>
    /// T frames' features <c>[T, C, H, W]</c> and the state before the first <c>[1, C, H, W]</c> in; the state after
    /// each frame <c>[T, C, H, W]</c> and the one after the last out.
    /// </summary>
    public (GraphValue Outputs, GraphValue State) Forward(GraphBuilder g, GraphValue x, GraphValue h)
    {
        long frames = x.Dim(0);
        if (frames == 1)
        {
            h = Step(g, x, h);
            return (h, h);
        }
        var inputs = g.Split(x, 0, Enumerable.Repeat(1L, (int)frames).ToArray());
        var outputs = new GraphValue[frames];
        for (int t = 0; t < frames; t++)
        {
            h = Step(g, inputs[t], h);
            outputs[t] = h;
        }
        return (g.Concat(0, outputs), h);
    }

    private GraphValue Step(GraphBuilder g, GraphValue x, GraphValue h)
    {
        h = BlockedLayout.EnterState(g, h);
        var (r, z) = BlockedLayout.SplitHalves(g, g.Sigmoid(_ih.Forward(g, g.Concat(1, x, h))));
        var c = g.Tanh(_hh.Forward(g, g.Concat(1, x, g.Mul(r, h))));
        return BlockedLayout.Blend(g, h, z, c);
    }
}
