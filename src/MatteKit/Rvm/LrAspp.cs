using MatteKit.Onnx;
using MatteKit.Layers;

namespace MatteKit.Rvm;

/// <summary>Lite R-ASPP: <c>relu(bn(conv1x1(x))) * sigmoid(conv1x1(mean_hw(x)))</c>.</summary>
internal sealed class LrAspp
{
    private const float BatchNormEps = 1e-5f;

    private readonly ConvLayer _features;
    private readonly ConvLayer _attention;

    public LrAspp(WeightSet w, int inChannels, int outChannels)
    {
        _features = ConvLayer.LoadWithBatchNorm(w, "aspp.aspp1.0", "aspp.aspp1.1", BatchNormEps, outChannels, inChannels, 1);
        _attention = ConvLayer.Load(w, "aspp.aspp2.1", outChannels, inChannels, 1, hasBias: false);
    }

    public int OutChannels => _features.OutChannels;

    public GraphValue Forward(GraphBuilder g, GraphValue x)
    {
        var features = g.Relu(_features.Forward(g, x));
        var attention = g.Sigmoid(_attention.Forward(g, g.GlobalAveragePool(x)));
        return g.Mul(features, attention);
    }
}
