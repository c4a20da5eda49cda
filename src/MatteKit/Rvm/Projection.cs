using MatteKit.Onnx;
using MatteKit.Layers;

namespace MatteKit.Rvm;

/// <summary>1x1 conv head on the decoder's hidden features (<c>project_mat</c>: 16 -> 3 fgr residual + 1 alpha).</summary>
internal sealed class Projection
{
    private readonly ConvLayer _conv;

    public Projection(WeightSet w, string prefix, int inChannels, int outChannels)
    {
        _conv = ConvLayer.Load(w, prefix + ".conv", outChannels, inChannels, 1);
    }

    public GraphValue Forward(GraphBuilder g, GraphValue x) => _conv.Forward(g, x);
}
