using MatteKit.NetworkWidths;
using MatteKit.Onnx;

namespace MatteKit.Rvm;

/// <summary>
/// Robust Video Matting (Lin et al., WACV 2022): the frame downsampled -> encoder (MobileNetV3 or ResNet50) ->
/// LR-ASPP -> recurrent decoder -> projection -> refiner (fast or deep guided filter, when the frame was
/// downsampled); in the segmentation pass the segmentation head instead of projection and refiner.
/// <see cref="Forward"/> is that figure; <see cref="RvmGraph"/> wraps it in a graph's inputs and outputs.
/// </summary>
internal sealed class RvmNetwork
{
    private readonly IRvmEncoder _encoder;
    private readonly LrAspp _aspp;
    private readonly RecurrentDecoder _decoder;
    private readonly Projection _projectMat;
    private readonly Projection? _projectSeg;
    private readonly DeepGuidedFilter? _deepGuidedFilter;

    private RvmNetwork(WeightSet w, RvmBackbone backbone, RvmRefiner refiner)
    {
        Source = w.Source;
        Backbone = backbone;
        Refiner = refiner;
        var architecture = backbone == RvmBackbone.ResNet50 ? RvmArchitecture.ResNet50 : RvmArchitecture.MobileNetV3;
        _encoder = backbone == RvmBackbone.ResNet50 ? new ResNet50Encoder(w) : new MobileNetV3Encoder(w);
        _aspp = new LrAspp(w, architecture.EncoderChannels[3], architecture.AsppChannels);
        _decoder = new RecurrentDecoder(w, architecture);
        _projectMat = new Projection(w, "project_mat", RvmArchitecture.HiddenChannels, 4);
        if (w.Contains("project_seg.conv.weight")) _projectSeg = new Projection(w, "project_seg", RvmArchitecture.HiddenChannels, 1);
        if (refiner == RvmRefiner.DeepGuidedFilter) _deepGuidedFilter = new DeepGuidedFilter(w, RvmArchitecture.HiddenChannels);
    }

    /// <summary>Where the weights came from.</summary>
    public string Source { get; }

    public RvmBackbone Backbone { get; }

    /// <summary>The refiner used for ratios below 1.</summary>
    public RvmRefiner Refiner { get; }

    /// <summary>Whether the weights have the segmentation head (<c>project_seg</c>; the TF.js model has none).</summary>
    public bool HasSegmentation => _projectSeg is not null;

    /// <summary>Channels of the recurrent states r1..r4.</summary>
    public IReadOnlyList<int> StateChannels => _decoder.StateChannels;

    /// <summary>
    /// Builds the network from weights under the official key names. The backbone is told by the keys; the refiner
    /// is the deep guided filter when the weights hold one (<c>refiner.*</c>), else the fast guided filter, unless
    /// <paramref name="refiner"/> asks otherwise. Missing or misshapen tensors throw <see cref="WeightsFormatException"/>.
    /// </summary>
    public static RvmNetwork FromWeights(WeightSet weights, RvmRefiner? refiner = null)
    {
        var backbone = BackboneOf(weights);
        bool hasDeep = DeepGuidedFilter.IsIn(weights);
        if (refiner == RvmRefiner.DeepGuidedFilter && !hasDeep)
            throw new WeightsFormatException(weights.Source,
                "the deep guided filter was asked for, but the weights have none (no 'refiner.box_filter.weight'); use the fast guided filter");
        return new RvmNetwork(weights, backbone, refiner ?? (hasDeep ? RvmRefiner.DeepGuidedFilter : RvmRefiner.FastGuidedFilter));
    }

    /// <summary>The encoder the weights were trained with, told by their keys.</summary>
    internal static RvmBackbone BackboneOf(WeightSet weights)
    {
        if (weights.Contains("backbone.features.0.0.weight")) return RvmBackbone.MobileNetV3;
        if (weights.Contains("backbone.conv1.weight")) return RvmBackbone.ResNet50;
        throw new WeightsFormatException(weights.Source,
            "not an RVM model: neither 'backbone.features.0.0.weight' (MobileNetV3) nor 'backbone.conv1.weight' (ResNet50) is there");
    }

    /// <summary>The sizes this network runs at for a frame size and ratio.</summary>
    internal RvmGeometry Geometry(int frameWidth, int frameHeight, double downsampleRatio)
        => new(frameWidth, frameHeight, downsampleRatio, StateChannels);

    /// <summary>Refuses a pass these weights cannot run.</summary>
    internal void CheckPass(NetworkPass pass)
    {
        if (pass == NetworkPass.Segmentation) _ = SegmentationHead;
    }

    /// <summary>The segmentation head; refused, naming the weights, when they have none.</summary>
    private Projection SegmentationHead => _projectSeg
        ?? throw new WeightsFormatException(Source, "the weights have no segmentation head ('project_seg.conv.weight' is missing)");

    /// <summary>
    /// One call: the frames and the states before them in; foreground and alpha as one 4-channel tensor, not yet
    /// clamped (or, in the segmentation pass, the head's logits at network resolution), and the states after them out.
    /// </summary>
    internal (GraphValue Result, GraphValue[] States) Forward(GraphBuilder g, NetworkInput input, IReadOnlyList<GraphValue> states, NetworkPass pass)
    {
        var image = input.Downsampled;
        GraphValue f1, f2, f3, f4;
        // In an int8 graph the encoder and LR-ASPP run in integers. The decoder and the refiner stay float: their convs
        // have 16 to 40 channels, where ONNX Runtime's int8 kernels measured no faster than its blocked float ones (the
        // output block's two 3x3 convs: 10.8 ms in int8 against about 12 in float at 512x288, plus 4.3 ms for the
        // uint8 resize before them), and the ConvGRUs carry their state from frame to frame.
        using (g.Int8Region())
        {
            (f1, f2, f3, f4) = _encoder.Forward(g, image);
            f4 = _aspp.Forward(g, f4);
        }
        var (hidden, next) = _decoder.Forward(g, image, f1, f2, f3, f4, states);
        if (pass == NetworkPass.Segmentation) return (SegmentationHead.Forward(g, hidden), next);
        var projected = _projectMat.Forward(g, hidden);
        return (Refine(g, input, projected, hidden), next);
    }

    /// <summary>
    /// Back to the frame's resolution with the guided filter; at ratio 1 the foreground is a residual over the image,
    /// and adding <c>[image, 0]</c> keeps the four channels together.
    /// </summary>
    private GraphValue Refine(GraphBuilder g, NetworkInput input, GraphValue projected, GraphValue hidden)
    {
        if (input is { Guide: { } guide, CoarseGuide: { } coarseGuide })
        {
            return _deepGuidedFilter is null
                ? FastGuidedFilter.Forward(g, guide, coarseGuide, projected)
                : _deepGuidedFilter.Forward(g, guide, coarseGuide, projected, hidden);
        }
        var src = input.Source ?? throw new InvalidOperationException("a network input without a guide carries the frames themselves");
        var noAlpha = g.Zeros(src.Dim(0), 1, src.Dim(2), src.Dim(3));
        return g.Add(projected, g.Concat(1, src, noAlpha));
    }
}
