using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MatteKit.Training.Network;

/// <summary>
/// RVM's ResNet50 encoder (torchvision's, the last stage dilated instead of strided): features after the stem
/// (1/2), layer1 (1/4), layer2 (1/8) and layer4 (1/16). Unlike MobileNetV3, the official ResNet50 encoder does not
/// normalise its input. BGMv2 uses the same encoder with a 6-channel stem (frame and plate).
/// </summary>
internal sealed class ResNet50Backbone : Module<Tensor, Tensor[]>, IBackbone
{
    // Children are registered by hand under the official keys; the default would add every field again under its C# name.
    protected override void RegisterComponents() { }

    private readonly Module<Tensor, Tensor> _conv1, _bn1, _layer1, _layer2, _layer3, _layer4;

    public ResNet50Backbone(long inputChannels = 3) : base(nameof(ResNet50Backbone))
    {
        _conv1 = Conv2d(inputChannels, 64, 7, stride: 2, padding: 3, bias: false);
        _bn1 = BatchNorm2d(64);
        long inChannels = 64, dilation = 1;
        Module<Tensor, Tensor> Layer(long planes, int blocks, long stride, bool dilate)
        {
            long previousDilation = dilation;
            if (dilate) { dilation *= stride; stride = 1; }
            var list = new List<(string, Module<Tensor, Tensor>)>
            {
                ("0", new ResNetBottleneck(inChannels, planes, stride, previousDilation, projectShortcut: true)),
            };
            inChannels = planes * ResNetBottleneck.Expansion;
            for (int i = 1; i < blocks; i++)
                list.Add((i.ToString(), new ResNetBottleneck(inChannels, planes, 1, dilation, projectShortcut: false)));
            return Sequential(list);
        }
        _layer1 = Layer(64, 3, 1, false);
        _layer2 = Layer(128, 4, 2, false);
        _layer3 = Layer(256, 6, 2, false);
        _layer4 = Layer(512, 3, 2, true);
        register_module("conv1", _conv1); register_module("bn1", _bn1);
        register_module("layer1", _layer1); register_module("layer2", _layer2);
        register_module("layer3", _layer3); register_module("layer4", _layer4);
    }

    public override Tensor[] forward(Tensor x)
    {
        var f1 = functional.relu(_bn1.forward(_conv1.forward(x)));
        var f2 = _layer1.forward(functional.max_pool2d(f1, 3, 2, 1));
        var f3 = _layer2.forward(f2);
        var f4 = _layer4.forward(_layer3.forward(f3));
        return new[] { f1, f2, f3, f4 };
    }
}
