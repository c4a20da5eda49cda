using MatteKit.NetworkWidths;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MatteKit.Training.Network;

/// <summary>
/// RVM's recurrent decoder (the paper's figure 2, right): the image average-pooled to 1/2, 1/4, 1/8; decode4 at
/// 1/16, decode3..decode1 upsampling with skips, decode0 at full size. States r1..r4 go in and come out.
/// </summary>
internal sealed class RecurrentDecoder : Module<Tensor, Tensor[], Tensor?[], (Tensor Hidden, Tensor[] States)>
{
    // Children are registered by hand under the official keys; the default would add every field again under its C# name.
    protected override void RegisterComponents() { }

    private readonly BottleneckStage _decode4;
    private readonly UpsamplingStage _decode3, _decode2, _decode1;
    private readonly OutputStage _decode0;

    public RecurrentDecoder(RvmArchitecture a) : base(nameof(RecurrentDecoder))
    {
        const int image = RvmArchitecture.ImageChannels;
        var e = a.EncoderChannels;
        var u = a.UpsamplingChannels;
        _decode4 = new BottleneckStage(a.AsppChannels);
        _decode3 = new UpsamplingStage(a.AsppChannels, e[2], image, u[0]);
        _decode2 = new UpsamplingStage(u[0], e[1], image, u[1]);
        _decode1 = new UpsamplingStage(u[1], e[0], image, u[2]);
        _decode0 = new OutputStage(u[2], image, RvmArchitecture.HiddenChannels);
        register_module("decode4", _decode4);
        register_module("decode3", _decode3);
        register_module("decode2", _decode2);
        register_module("decode1", _decode1);
        register_module("decode0", _decode0);
    }

    /// <summary>
    /// <paramref name="image"/> <c>[B, T, 3, H, W]</c>; <paramref name="features"/> f1..f4 (f4 after LR-ASPP),
    /// each <c>[B, T, C, h, w]</c>; <paramref name="states"/> r1..r4, null for zeros.
    /// </summary>
    public override (Tensor Hidden, Tensor[] States) forward(Tensor image, Tensor[] features, Tensor?[] states)
    {
        long batch = image.shape[0];
        var s1 = Pool(image, batch);
        var s2 = Pool(s1, batch);
        var s3 = Pool(s2, batch);
        var (x4, r4) = _decode4.forward(features[3], states[3]);
        var (x3, r3) = _decode3.forward(x4, features[2], s3, states[2]);
        var (x2, r2) = _decode2.forward(x3, features[1], s2, states[1]);
        var (x1, r1) = _decode1.forward(x2, features[0], s1, states[0]);
        var x0 = _decode0.forward(x1, image);
        return (x0, new[] { r1, r2, r3, r4 });
    }

    // AvgPool2d(2, 2, count_include_pad=False, ceil_mode=True): odd sizes keep their last row and column.
    private static Tensor Pool(Tensor x, long batch) =>
        Blocks.UnflattenTime(functional.avg_pool2d(Blocks.FlattenTime(x), 2, 2, ceil_mode: true, count_include_pad: false), batch);
}
