using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MatteKit.Training.Bgm;

/// <summary>
/// torchvision's DeepLabV3 ASPP with rates 3, 6, 9 and 256 channels (<c>aspp.convs.0..4</c>, <c>aspp.project</c>):
/// a 1x1 branch, three dilated 3x3 branches and an image-pooling branch, concatenated and projected by a 1x1 conv.
/// The projection ends in dropout 0.5, active in training mode as in the official model.
/// </summary>
internal sealed class Aspp : Module<Tensor, Tensor>
{
    // Children are registered by hand under the official keys; the default would add every field again under its C# name.
    protected override void RegisterComponents() { }

    public const long OutChannels = 256;
    private static readonly long[] Rates = { 3, 6, 9 };

    private readonly Module<Tensor, Tensor>[] _branches;
    private readonly Module<Tensor, Tensor> _pooling, _project;

    public Aspp(long inChannels) : base(nameof(Aspp))
    {
        var branches = new List<Module<Tensor, Tensor>>
        {
            Sequential(("0", Conv2d(inChannels, OutChannels, 1, bias: false)), ("1", BatchNorm2d(OutChannels)), ("2", ReLU())),
        };
        foreach (var rate in Rates)
            branches.Add(Sequential(("0", Conv2d(inChannels, OutChannels, 3, padding: rate, dilation: rate, bias: false)),
                ("1", BatchNorm2d(OutChannels)), ("2", ReLU())));
        _branches = branches.ToArray();
        _pooling = Sequential(("0", AdaptiveAvgPool2d(1)), ("1", Conv2d(inChannels, OutChannels, 1, bias: false)),
            ("2", BatchNorm2d(OutChannels)), ("3", ReLU()));
        _project = Sequential(("0", Conv2d(OutChannels * (Rates.Length + 2), OutChannels, 1, bias: false)),
            ("1", BatchNorm2d(OutChannels)), ("2", ReLU()), ("3", Dropout(0.5)));
        register_module("convs", Sequential(_branches.Append(_pooling).Select((m, i) => (i.ToString(), m))));
        register_module("project", _project);
    }

    public override Tensor forward(Tensor x)
    {
        var outputs = _branches.Select(b => b.forward(x)).ToList();
        // The pooled branch is 1x1; resizing it bilinearly to the map's size repeats its value.
        outputs.Add(_pooling.forward(x).expand(-1, -1, x.shape[2], x.shape[3]));
        return _project.forward(cat(outputs, 1));
    }
}
