using MatteKit.Bgm;
using MatteKit.Training.Network;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MatteKit.Training.Bgm;

/// <summary>
/// BackgroundMattingV2 as TorchSharp modules under the official state-dict keys (<c>backbone</c>, <c>aspp</c>,
/// <c>decoder</c>, <c>refiner</c>). <see cref="Base"/> is the official <c>MattingBase</c> (the base network at the
/// input's size); <see cref="Refine"/> the official <c>MattingRefine</c>: the base network on frame and plate
/// downsampled by the backbone scale, then the patch refiner at full size. A network built without a refiner has
/// the keys of <c>MattingBase</c>.
/// </summary>
internal sealed class BgmMattingNetwork : Module
{
    // Children are registered by hand under the official keys; the default would add every field again under its C# name.
    protected override void RegisterComponents() { }

    public const long HiddenChannels = 32;
    private const long InputChannels = 6;

    /// <summary>The top-level modules (the official optimiser groups), in state-dict order.</summary>
    public static readonly string[] ModuleNames = { "backbone", "aspp", "decoder", "refiner" };

    private readonly IBgmBackbone _backbone;
    private readonly Aspp _aspp;
    private readonly BgmDecoder _decoder;
    private readonly PatchRefiner? _refiner;

    /// <param name="refiner">The refiner, or null for the base network alone.</param>
    public BgmMattingNetwork(BgmBackbone backbone, PatchRefiner? refiner, double backboneScale = 0.25) : base(nameof(BgmMattingNetwork))
    {
        if (!(backboneScale > 0 && backboneScale <= 1)) throw new ArgumentException($"backbone scale {backboneScale} is not in (0, 1]", nameof(backboneScale));
        Backbone = backbone;
        BackboneScale = backboneScale;
        _backbone = backbone switch
        {
            BgmBackbone.MobileNetV2 => new MobileNetV2Backbone(InputChannels),
            BgmBackbone.ResNet50 => new ResNetBgmBackbone(),
            _ => throw new NotSupportedException($"training the {backbone} backbone is not supported (MobileNetV2 and ResNet-50 are)"),
        };
        var channels = _backbone.Channels;
        _aspp = new Aspp(channels[0]);
        _decoder = new BgmDecoder(Aspp.OutChannels, channels[1..], InputChannels);
        _refiner = refiner;
        register_module("backbone", (Module)_backbone);
        register_module("aspp", _aspp);
        register_module("decoder", _decoder);
        if (_refiner is not null) register_module("refiner", _refiner);
    }

    public BgmBackbone Backbone { get; }
    public double BackboneScale { get; }
    public PatchRefiner? Refiner => _refiner;

    /// <summary>
    /// For a network that starts from no weights: sets each stem filter's plate weights to minus its frame weights,
    /// so every filter starts out seeing the frame minus the plate. That difference is what plate matting rests on;
    /// from PyTorch's default initialisation the network would spend its first steps finding it (measured in
    /// docs/training.md). Training then moves the two halves apart freely.
    /// </summary>
    public void StartFromPlateDifference()
    {
        using var _ = no_grad();
        var weight = _backbone.StemWeight;
        var frame = weight[TensorIndex.Colon, TensorIndex.Slice(0, 3)];
        weight[TensorIndex.Colon, TensorIndex.Slice(3, 6)].copy_(frame.neg());
    }

    /// <summary>The base network on frame and plate <c>[B, 3, H, W]</c> in 0..1, at their size.</summary>
    public BgmBaseOutput Base(Tensor src, Tensor bgr)
    {
        var input = cat(new[] { src, bgr }, 1);
        var (x4, x3, x2, x1) = _backbone.Encode(input);
        var raw = _decoder.Decode(_aspp.forward(x4), x3, x2, x1, input);
        var parts = raw.split(new long[] { 1, 3, 1, HiddenChannels }, 1);
        return new BgmBaseOutput(parts[0].clamp(0, 1), (parts[1] + src).clamp(0, 1), parts[1], parts[2].clamp(0, 1), functional.relu(parts[3]));
    }

    /// <summary>
    /// The whole network on frame and plate <c>[B, 3, H, W]</c> in 0..1 (H, W multiples of 4): the base network at
    /// <c>floor(side * backbone scale)</c>, then the refiner.
    /// </summary>
    public BgmRefineOutput Refine(Tensor src, Tensor bgr)
    {
        if (_refiner is null) throw new InvalidOperationException("this BGMv2 network has no refiner (a base network)");
        long height = src.shape[2], width = src.shape[3];
        // PyTorch's interpolate(scale_factor=s, recompute_scale_factor=True): floor(n * s), scale n_in / n_out.
        long baseHeight = Math.Max(1, (long)Math.Floor(height * BackboneScale)), baseWidth = Math.Max(1, (long)Math.Floor(width * BackboneScale));
        var srcSm = Blocks.ResizeTo(src, baseHeight, baseWidth);
        var bgrSm = Blocks.ResizeTo(bgr, baseHeight, baseWidth);
        var coarse = Base(srcSm, bgrSm);
        var (output, selected) = _refiner.Refine(src, bgr, coarse.Alpha, coarse.Residual, coarse.Error, coarse.Hidden);
        var parts = output.split(new long[] { 1, 3 }, 1);
        return new BgmRefineOutput(parts[0].clamp(0, 1), (parts[1] + src).clamp(0, 1), coarse.Alpha, coarse.Foreground, coarse.Error, selected);
    }

    /// <summary>The parameters of one top-level module (an optimiser group).</summary>
    public IEnumerable<TorchSharp.Modules.Parameter> ModuleParameters(string name) =>
        named_children().Single(c => c.name == name).module.parameters();
}
