using MatteKit.Onnx;
using MatteKit.Layers;

namespace MatteKit.Rvm;

/// <summary>MobileNetV3's channel attention: <c>x * hardsigmoid(fc2(relu(fc1(mean_hw(x)))))</c>.</summary>
internal sealed class SqueezeExcitation
{
    private readonly ConvLayer _fc1;
    private readonly ConvLayer _fc2;

    public SqueezeExcitation(WeightSet w, string prefix, int channels, int squeezeChannels)
    {
        _fc1 = ConvLayer.Load(w, prefix + ".fc1", squeezeChannels, channels, 1);
        _fc2 = ConvLayer.Load(w, prefix + ".fc2", channels, squeezeChannels, 1);
    }

    public GraphValue Forward(GraphBuilder g, GraphValue x)
    {
        var scale = g.GlobalAveragePool(x);
        scale = g.Relu(_fc1.Forward(g, scale));
        scale = g.HardSigmoid(_fc2.Forward(g, scale));
        return g.Mul(x, scale);
    }
}
