using MatteKit.Onnx;
using MatteKit.Layers;

namespace MatteKit.Rvm;

/// <summary>Last decoder stage, at full network resolution: x2 upsample, crop, concat the image, two conv-BN-ReLU.</summary>
internal sealed class OutputBlock
{
    private const float BatchNormEps = 1e-5f;

    private readonly ConcatConv _conv1;
    private readonly ConvLayer _conv2;

    public OutputBlock(WeightSet w, int inChannels, int imageChannels, int outChannels)
    {
        _conv1 = new ConcatConv(ConvLayer.LoadWithBatchNorm(w, "decoder.decode0.conv.0", "decoder.decode0.conv.1", BatchNormEps,
            outChannels, inChannels + imageChannels, 3), inChannels, imageChannels);
        _conv2 = ConvLayer.LoadWithBatchNorm(w, "decoder.decode0.conv.3", "decoder.decode0.conv.4", BatchNormEps,
            outChannels, outChannels, 3);
    }

    public GraphValue Forward(GraphBuilder g, GraphValue x, GraphValue image)
    {
        x = g.ResizeBilinearByScale(x, 2, x.Dim(2) * 2, x.Dim(3) * 2);
        x = g.CropTopLeft(x, image.Dim(2), image.Dim(3));
        x = g.Relu(_conv1.Forward(g, x, image));
        return g.Relu(_conv2.Forward(g, x));
    }
}
