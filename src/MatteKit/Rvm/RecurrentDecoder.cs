using MatteKit.NetworkWidths;
using MatteKit.Onnx;

namespace MatteKit.Rvm;

/// <summary>
/// RVM's recurrent decoder: the image averaged down to 1/2, 1/4 and 1/8, then the bottleneck at 1/16 (decode4), three
/// upsampling blocks (decode3, decode2, decode1), each with a ConvGRU carrying one recurrent state, and the output
/// block (decode0) at the network's resolution. States r1..r4 go in and out at 1/2 .. 1/16.
/// </summary>
internal sealed class RecurrentDecoder
{
    private readonly BottleneckBlock _decode4;
    private readonly UpsamplingBlock _decode3;
    private readonly UpsamplingBlock _decode2;
    private readonly UpsamplingBlock _decode1;
    private readonly OutputBlock _decode0;

    public RecurrentDecoder(WeightSet w, RvmArchitecture a)
    {
        var skips = a.EncoderChannels;
        var widths = a.UpsamplingChannels;
        const int image = RvmArchitecture.ImageChannels;
        _decode4 = new BottleneckBlock(w, a.AsppChannels);
        _decode3 = new UpsamplingBlock(w, "decoder.decode3", a.AsppChannels, skips[2], image, widths[0]);
        _decode2 = new UpsamplingBlock(w, "decoder.decode2", widths[0], skips[1], image, widths[1]);
        _decode1 = new UpsamplingBlock(w, "decoder.decode1", widths[1], skips[0], image, widths[2]);
        _decode0 = new OutputBlock(w, widths[2], image, RvmArchitecture.HiddenChannels);
        StateChannels = a.StateChannels;
    }

    /// <summary>Channels of r1..r4.</summary>
    public IReadOnlyList<int> StateChannels { get; }

    /// <summary>
    /// The image at network resolution, the encoder's features at 1/2 .. 1/16 (the last through LR-ASPP) and the
    /// states before these frames; the hidden features at network resolution and the states after the last frame.
    /// </summary>
    public (GraphValue Hidden, GraphValue[] States) Forward(GraphBuilder g, GraphValue image,
        GraphValue f1, GraphValue f2, GraphValue f3, GraphValue f4, IReadOnlyList<GraphValue> states)
    {
        var s1 = g.AveragePool(image, 2, 2, ceilMode: true);
        var s2 = g.AveragePool(s1, 2, 2, ceilMode: true);
        var s3 = g.AveragePool(s2, 2, 2, ceilMode: true);
        var (x4, r4) = _decode4.Forward(g, f4, states[3]);
        var (x3, r3) = _decode3.Forward(g, x4, f3, s3, states[2]);
        var (x2, r2) = _decode2.Forward(g, x3, f2, s2, states[1]);
        var (x1, r1) = _decode1.Forward(g, x2, f1, s1, states[0]);
        var hidden = _decode0.Forward(g, x1, image);
        return (hidden, new[] { r1, r2, r3, r4 });
    }
}
