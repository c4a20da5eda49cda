using MatteKit.Onnx;
using MatteKit.Weights;
using MatteKit.Layers;

namespace MatteKit.Rvm;

/// <summary>Last decoder stage, at full network resolution: x2 upsample, crop, concat the image, two conv-BN-ReLU.</summary>
internal sealed class OutputBlock
{
    private const float BatchNormEps = 1e-5f;

    private readonly ConvLayer _conv1;
    private readonly (ConvLayer Features, ConvLayer Image)? _conv1Split;
    private readonly ConvLayer _conv2;

    public OutputBlock(WeightSet w, int inChannels, int imageChannels, int outChannels)
    {
        var conv1 = ConvLayer.LoadWithBatchNorm(w, "decoder.decode0.conv.0", "decoder.decode0.conv.1", BatchNormEps,
            outChannels, inChannels + imageChannels, 3);
        _conv1 = conv1.WithZeroInputChannels(ChannelPadding.Extra(inChannels + imageChannels));
        // conv([x, image]) = conv_x(x) + conv_image(image): with x block-aligned (MobileNetV3: 32 channels) this skips
        // the concat and the padding of 35 channels to 48 at the network's full resolution.
        if (ChannelPadding.Extra(inChannels) == 0) _conv1Split = conv1.SplitInputChannels(inChannels);
        _conv2 = ConvLayer.LoadWithBatchNorm(w, "decoder.decode0.conv.3", "decoder.decode0.conv.4", BatchNormEps,
            outChannels, outChannels, 3);
    }

    public GraphValue Forward(GraphBuilder g, GraphValue x, GraphValue image)
    {
        x = g.ResizeBilinearByScale(x, 2, x.Dim(2) * 2, x.Dim(3) * 2);
        x = g.CropTopLeft(x, image.Dim(2), image.Dim(3));
        x = _conv1Split is { } split
            ? g.Relu(g.Add(split.Features.Forward(g, x), split.Image.Forward(g, image)))
            : g.Relu(_conv1.Forward(g, ChannelPadding.ConcatPadded(g, x, image)));
        return g.Relu(_conv2.Forward(g, x));
    }
}
