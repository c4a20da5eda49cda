using MatteKit.Onnx;
using MatteKit.NetworkWidths;
using MatteKit.Layers;

namespace MatteKit.Rvm;

/// <summary>
/// ResNet50 backbone (torchvision key layout <c>backbone.conv1</c>, <c>bn1</c>, <c>layer1..4</c>) as RVM uses it:
/// no input normalisation, the last stage dilated (stride 1, dilation 2) instead of strided. Features: the stem
/// at 1/2 (64 ch), layer1 at 1/4 (256), layer2 at 1/8 (512), layer4 at 1/16 (2048).
/// </summary>
internal sealed class ResNet50Encoder : IRvmEncoder
{
    private const float BatchNormEps = 1e-5f;

    // Blocks per stage and bottleneck width; stride of each stage's first block.
    private static readonly (int Blocks, int Planes, int Stride)[] Stages = { (3, 64, 1), (4, 128, 2), (6, 256, 2), (3, 512, 2) };

    private readonly ConvLayer _stem;
    private readonly ResNetBottleneck[][] _layers;

    public ResNet50Encoder(WeightSet w)
    {
        _stem = ConvLayer.LoadWithBatchNorm(w, "backbone.conv1", "backbone.bn1", BatchNormEps, 64, 3, 7);
        _layers = new ResNetBottleneck[Stages.Length][];
        int inChannels = 64, dilation = 1;
        for (int s = 0; s < Stages.Length; s++)
        {
            var (blocks, planes, stride) = Stages[s];
            // torchvision's replace_stride_with_dilation for layer4: the stride becomes dilation; the first block
            // keeps the dilation it had before (1), the following ones use the new one (2).
            int firstDilation = dilation;
            if (s == 3)
            {
                dilation *= stride;
                stride = 1;
            }
            _layers[s] = new ResNetBottleneck[blocks];
            for (int b = 0; b < blocks; b++)
            {
                bool first = b == 0;
                _layers[s][b] = new ResNetBottleneck(w, $"backbone.layer{s + 1}.{b}", inChannels, planes,
                    first ? stride : 1, first ? firstDilation : dilation,
                    projectShortcut: first && (stride != 1 || inChannels != planes * ResNetBottleneck.Expansion));
                inChannels = planes * ResNetBottleneck.Expansion;
            }
        }
    }

    public IReadOnlyList<int> FeatureChannels => RvmArchitecture.ResNet50.EncoderChannels;

    public (GraphValue F1, GraphValue F2, GraphValue F3, GraphValue F4) Forward(GraphBuilder g, GraphValue image)
    {
        var f1 = g.Relu(_stem.Forward(g, image, stride: 2));
        var x = g.MaxPool(f1, kernel: 3, stride: 2, padding: 1);
        foreach (var block in _layers[0]) x = block.Forward(g, x);
        var f2 = x;
        foreach (var block in _layers[1]) x = block.Forward(g, x);
        var f3 = x;
        foreach (var block in _layers[2].Concat(_layers[3])) x = block.Forward(g, x);
        return (f1, f2, f3, x);
    }
}
