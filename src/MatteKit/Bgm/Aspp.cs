using MatteKit.Onnx;
using MatteKit.Layers;

namespace MatteKit.Bgm;

/// <summary>
/// Atrous spatial pyramid pooling as in torchvision's DeepLabV3 head with rates 3, 6, 9: a 1x1 branch, three dilated
/// 3x3 branches, and the image mean through a 1x1 spread back over the map; concatenated and projected by a 1x1,
/// every conv with BN and ReLU (dropout is inactive at inference).
/// </summary>
internal sealed class Aspp
{
    private static readonly int[] Rates = { 3, 6, 9 };
    private const int Channels = 256;

    private readonly ConvLayer _pointwise;
    private readonly ConvLayer[] _atrous;
    private readonly ConvLayer _pooled;
    private readonly ConvLayer _project;

    public Aspp(WeightSet w, int inChannels)
    {
        const float eps = BgmNetwork.BatchNormEps;
        _pointwise = ConvLayer.LoadWithBatchNorm(w, "aspp.convs.0.0", "aspp.convs.0.1", eps, Channels, inChannels, 1);
        _atrous = Enumerable.Range(1, Rates.Length)
            .Select(i => ConvLayer.LoadWithBatchNorm(w, $"aspp.convs.{i}.0", $"aspp.convs.{i}.1", eps, Channels, inChannels, 3))
            .ToArray();
        _pooled = ConvLayer.LoadWithBatchNorm(w, "aspp.convs.4.1", "aspp.convs.4.2", eps, Channels, inChannels, 1);
        _project = ConvLayer.LoadWithBatchNorm(w, "aspp.project.0", "aspp.project.1", eps, Channels, Channels * 5, 1);
    }

    public int OutChannels => Channels;

    public GraphValue Forward(GraphBuilder g, GraphValue x)
    {
        var branches = new List<GraphValue> { g.Relu(_pointwise.Forward(g, x)) };
        for (int i = 0; i < Rates.Length; i++) branches.Add(g.Relu(_atrous[i].Forward(g, x, dilation: Rates[i])));
        // Bilinear upsampling of a 1x1 map is a broadcast.
        var pooled = g.Relu(_pooled.Forward(g, g.GlobalAveragePool(x)));
        branches.Add(g.Expand(pooled, x.Dim(0), Channels, x.Dim(2), x.Dim(3)));
        return g.Relu(_project.Forward(g, g.Concat(1, branches.ToArray())));
    }
}
