using MatteKit.Onnx;
using MatteKit.Layers;

namespace MatteKit.Rvm;

/// <summary>
/// Decoder stage: x2 bilinear upsample, crop to the skip feature's size (top-left), concatenate with the
/// encoder feature and the downsampled image, conv-BN-ReLU, then a ConvGRU on the second half of the channels.
/// </summary>
internal sealed class UpsamplingBlock
{
    private const float BatchNormEps = 1e-5f;

    private readonly ConcatConv _conv;
    private readonly ConvGru _gru;

    public UpsamplingBlock(WeightSet w, string prefix, int inChannels, int skipChannels, int imageChannels, int outChannels)
    {
        _conv = new ConcatConv(ConvLayer.LoadWithBatchNorm(w, prefix + ".conv.0", prefix + ".conv.1", BatchNormEps, outChannels,
            inChannels + skipChannels + imageChannels, 3), inChannels, skipChannels, imageChannels);
        _gru = new ConvGru(w, prefix + ".gru", outChannels / 2);
    }

    public (GraphValue X, GraphValue State) Forward(GraphBuilder g, GraphValue x, GraphValue skip, GraphValue image, GraphValue state)
    {
        x = g.ResizeBilinearByScale(x, 2, x.Dim(2) * 2, x.Dim(3) * 2);
        x = g.CropTopLeft(x, image.Dim(2), image.Dim(3));
        x = g.Relu(_conv.Forward(g, x, skip, image));
        var (kept, recurrent) = BlockedLayout.SplitHalves(g, x);
        var (h, last) = _gru.Forward(g, recurrent, state);
        return (g.Concat(1, kept, h), last);
    }
}
