using MatteKit.Onnx;
using MatteKit.Weights;

namespace MatteKit.Rvm;

/// <summary>
/// Convolutional GRU: <c>r, z = split(sigmoid(ih([x, h])))</c>, <c>c = tanh(hh([x, r * h]))</c>,
/// <c>h' = (1 - z) * h + z * c</c>. The new state is also the block's output.
/// </summary>
internal sealed class ConvGru
{
    private readonly ConvLayer _ih;
    private readonly ConvLayer _hh;
    private readonly int _channels;

    public ConvGru(WeightSet w, string prefix, int channels)
    {
        _channels = channels;
        _ih = ConvLayer.Load(w, prefix + ".ih.0", channels * 2, channels * 2, 3);
        _hh = ConvLayer.Load(w, prefix + ".hh.0", channels, channels * 2, 3);
    }

    public GraphValue Forward(GraphBuilder g, GraphValue x, GraphValue h)
    {
        var gates = g.Sigmoid(_ih.Forward(g, g.Concat(1, x, h)));
        var rz = g.Split(gates, 1, _channels, _channels);
        var (r, z) = (rz[0], rz[1]);
        var candidate = g.Tanh(_hh.Forward(g, g.Concat(1, x, g.Mul(r, h))));
        var keep = g.Sub(g.Constant(1f), z);
        return g.Add(g.Mul(keep, h), g.Mul(z, candidate));
    }
}
