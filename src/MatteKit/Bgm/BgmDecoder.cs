using MatteKit.Onnx;
using MatteKit.Layers;

namespace MatteKit.Bgm;

/// <summary>
/// BGMv2's decoder: three steps of (bilinear resize to the skip's size, concat the skip, 3x3 conv + BN + ReLU) with
/// 128, 64 and 48 channels, then a resize to the input's size, concat the 6-channel input, and a 3x3 conv with bias
/// to the 37 raw output channels (alpha, foreground residual, error, 32 hidden).
/// </summary>
internal sealed class BgmDecoder
{
    public const int OutChannels = 37;

    private readonly ConvLayer[] _steps;
    private readonly ConvLayer _output;

    public BgmDecoder(WeightSet w, int asppChannels, int[] skipChannels, int inputChannels)
    {
        int[] widths = { 128, 64, 48 };
        _steps = new ConvLayer[3];
        int channels = asppChannels;
        for (int i = 0; i < 3; i++)
        {
            _steps[i] = ConvLayer.LoadWithBatchNorm(w, $"decoder.conv{i + 1}", $"decoder.bn{i + 1}", BgmNetwork.BatchNormEps,
                widths[i], channels + skipChannels[i], 3);
            channels = widths[i];
        }
        _output = ConvLayer.Load(w, "decoder.conv4", OutChannels, channels + inputChannels, 3);
    }

    public GraphValue Forward(GraphBuilder g, GraphValue x, GraphValue x3, GraphValue x2, GraphValue x1, GraphValue x0)
    {
        var skips = new[] { x3, x2, x1 };
        for (int i = 0; i < 3; i++)
        {
            x = g.ResizeBilinearToSize(x, skips[i].Dim(2), skips[i].Dim(3));
            x = g.Relu(_steps[i].Forward(g, g.Concat(1, x, skips[i])));
        }
        x = g.ResizeBilinearToSize(x, x0.Dim(2), x0.Dim(3));
        return _output.Forward(g, g.Concat(1, x, x0));
    }
}
