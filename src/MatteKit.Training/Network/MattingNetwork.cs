using MatteKit.NetworkWidths;
using MatteKit.Rvm;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MatteKit.Training.Network;

/// <summary>
/// RVM as TorchSharp modules under the official state-dict keys (<c>backbone</c>, <c>aspp</c>, <c>decoder</c>,
/// <c>project_mat</c>, <c>project_seg</c>, <c>refiner</c>). The forward pass reads as the paper's figure 2: encoder
/// on the (downsampled) frames, LR-ASPP, the recurrent decoder, then either the matting projection (refined back
/// to full size when downsampled) or the segmentation projection.
/// </summary>
internal sealed class MattingNetwork : Module
{
    // Children are registered by hand under the official keys; the default would add every field again under its C# name.
    protected override void RegisterComponents() { }

    /// <summary>The optimiser groups, one per top-level module, in the official order.</summary>
    public static readonly string[] ModuleNames = { "backbone", "aspp", "decoder", "project_mat", "project_seg", "refiner" };

    private readonly IBackbone _backbone;
    private readonly LrAspp _aspp;
    private readonly RecurrentDecoder _decoder;
    private readonly Projection _projectMat, _projectSeg;
    private readonly IRefiner _refiner;

    public MattingNetwork(RvmBackbone backbone, RvmRefiner refiner) : base(nameof(MattingNetwork))
    {
        Backbone = backbone;
        Refiner = refiner;
        var a = backbone == RvmBackbone.ResNet50 ? RvmArchitecture.ResNet50 : RvmArchitecture.MobileNetV3;
        Architecture = a;
        _backbone = backbone == RvmBackbone.ResNet50 ? new ResNet50Backbone() : new MobileNetV3Backbone();
        _aspp = new LrAspp(a.EncoderChannels[3], a.AsppChannels);
        _decoder = new RecurrentDecoder(a);
        _projectMat = new Projection(RvmArchitecture.HiddenChannels, 4);
        _projectSeg = new Projection(RvmArchitecture.HiddenChannels, 1);
        _refiner = refiner == RvmRefiner.DeepGuidedFilter ? new DeepGuidedFilterRefiner() : new FastGuidedFilterRefiner();
        register_module("backbone", (Module)_backbone);
        register_module("aspp", _aspp);
        register_module("decoder", _decoder);
        register_module("project_mat", _projectMat);
        register_module("project_seg", _projectSeg);
        register_module("refiner", (Module)_refiner);
    }

    public RvmBackbone Backbone { get; }
    public RvmRefiner Refiner { get; }
    public RvmArchitecture Architecture { get; }

    /// <summary>
    /// Checked between the blocks of a forward pass: a cancelled token abandons the pass there (an
    /// <see cref="OperationCanceledException"/> on the calling thread), never inside a libtorch operation.
    /// </summary>
    public CancellationToken Cancellation { get; set; }

    /// <summary>
    /// The matting pass on <c>[B, T, 3, H, W]</c> frames in 0..1: foreground and alpha <c>[B, T, C, H, W]</c>
    /// clamped to 0..1, and the recurrent states after the last frame. At a ratio below 1 the network runs on
    /// frames resized by the ratio and the refiner brings its output back to full size.
    /// </summary>
    public (Tensor Foreground, Tensor Alpha, Tensor[] States) Matte(Tensor frames, Tensor?[]? states = null, double downsampleRatio = 1)
    {
        var small = downsampleRatio == 1 ? frames : Blocks.UnflattenTime(Blocks.Resize(Blocks.FlattenTime(frames), downsampleRatio), frames.shape[0]);
        var (hidden, next) = Decode(small, states);
        Cancellation.ThrowIfCancellationRequested();
        var parts = _projectMat.forward(hidden).split(new long[] { 3, 1 }, 2);
        Tensor fgrResidual = parts[0], alpha = parts[1];
        if (downsampleRatio != 1)
        {
            Cancellation.ThrowIfCancellationRequested();
            long batch = frames.shape[0];
            var (f, p) = _refiner.Refine(Blocks.FlattenTime(frames), Blocks.FlattenTime(small), Blocks.FlattenTime(fgrResidual),
                Blocks.FlattenTime(alpha), Blocks.FlattenTime(hidden));
            fgrResidual = Blocks.UnflattenTime(f, batch);
            alpha = Blocks.UnflattenTime(p, batch);
        }
        return ((fgrResidual + frames).clamp(0, 1), alpha.clamp(0, 1), next);
    }

    /// <summary>The segmentation pass: person logits <c>[B, T, 1, H, W]</c> (no sigmoid) and the states.</summary>
    public (Tensor Logits, Tensor[] States) Segment(Tensor frames, Tensor?[]? states = null)
    {
        var (hidden, next) = Decode(frames, states);
        return (_projectSeg.forward(hidden), next);
    }

    private (Tensor Hidden, Tensor[] States) Decode(Tensor frames, Tensor?[]? states)
    {
        long batch = frames.shape[0];
        Cancellation.ThrowIfCancellationRequested();
        var features = _backbone.forward(Blocks.FlattenTime(frames));
        Cancellation.ThrowIfCancellationRequested();
        features[3] = _aspp.forward(features[3]);
        Cancellation.ThrowIfCancellationRequested();
        var timed = features.Select(f => Blocks.UnflattenTime(f, batch)).ToArray();
        return _decoder.forward(frames, timed, states ?? new Tensor?[4]);
    }

    /// <summary>The parameters of one top-level module (an optimiser group).</summary>
    public IEnumerable<TorchSharp.Modules.Parameter> ModuleParameters(string name) =>
        named_children().Single(c => c.name == name).module.parameters();

    /// <summary>
    /// Puts the network in training mode with every batch norm in eval mode: running statistics are used and kept,
    /// their weight and bias still learn (the paper's statistics from batches of 4 frames wreck a converged model).
    /// </summary>
    public void TrainWithFrozenBatchNorm()
    {
        train();
        foreach (var m in modules())
            if (m is TorchSharp.Modules.BatchNorm2d) m.eval();
    }
}
