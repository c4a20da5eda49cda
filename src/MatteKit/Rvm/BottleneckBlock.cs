using MatteKit.Layers;
using MatteKit.Onnx;

namespace MatteKit.Rvm;

/// <summary>Decoder stage at 1/16: a ConvGRU on the second half of the LR-ASPP channels, the first half passed through.</summary>
internal sealed class BottleneckBlock
{
    private readonly ConvGru _gru;

    public BottleneckBlock(WeightSet w, int channels) => _gru = new ConvGru(w, "decoder.decode4.gru", channels / 2);

    public (GraphValue X, GraphValue State) Forward(GraphBuilder g, GraphValue x, GraphValue state)
    {
        var (kept, recurrent) = BlockedLayout.SplitHalves(g, x);
        var (h, last) = _gru.Forward(g, recurrent, state);
        return (g.Concat(1, kept, h), last);
    }
}
