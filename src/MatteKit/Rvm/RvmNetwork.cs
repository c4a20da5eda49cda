using MatteKit.Onnx;
using MatteKit.Weights;
using DataType = MatteKit.Onnx.Protobuf.TensorProto.Types.DataType;

namespace MatteKit.Rvm;

/// <summary>
/// Robust Video Matting (Lin et al., WACV 2022): encoder (MobileNetV3 or ResNet50) -> LR-ASPP -> recurrent
/// decoder (bottleneck, three upsampling blocks, output block) -> projection, refined to full resolution by the
/// fast or the deep guided filter when the frame was downsampled; or, in the segmentation pass, the
/// segmentation head instead of projection and refiner. <see cref="BuildModel"/> emits the ONNX graph for one
/// frame size and ratio, with static shapes, for a chunk of T consecutive frames: every layer but the
/// ConvGRUs runs on the T frames as one batch, each ConvGRU steps through them in order (the official model's
/// time dimension), and the states in and out are those before the first frame and after the last.
/// </summary>
public sealed class RvmNetwork
{
    private const int HiddenChannels = 16;

    private readonly IRvmEncoder _encoder;
    private readonly LrAspp _aspp;
    private readonly BottleneckBlock _decode4;
    private readonly UpsamplingBlock _decode3;
    private readonly UpsamplingBlock _decode2;
    private readonly UpsamplingBlock _decode1;
    private readonly OutputBlock _decode0;
    private readonly Projection _projectMat;
    private readonly Projection? _projectSeg;
    private readonly DeepGuidedFilter? _deepGuidedFilter;

    private RvmNetwork(WeightSet w, RvmBackbone backbone, RvmRefiner refiner)
    {
        Source = w.Source;
        Backbone = backbone;
        Refiner = refiner;
        // Decoder widths of the official MattingNetwork: LR-ASPP output, then each upsampling stage's output.
        int[] decoderChannels;
        if (backbone == RvmBackbone.ResNet50)
        {
            _encoder = new ResNet50Encoder(w);
            _aspp = new LrAspp(w, _encoder.FeatureChannels[3], 256);
            decoderChannels = new[] { 128, 64, 32 };
        }
        else
        {
            _encoder = new MobileNetV3Encoder(w);
            _aspp = new LrAspp(w, _encoder.FeatureChannels[3], 128);
            decoderChannels = new[] { 80, 40, 32 };
        }
        var skips = _encoder.FeatureChannels;
        _decode4 = new BottleneckBlock(w, _aspp.OutChannels);
        _decode3 = new UpsamplingBlock(w, "decoder.decode3", _aspp.OutChannels, skips[2], 3, decoderChannels[0]);
        _decode2 = new UpsamplingBlock(w, "decoder.decode2", decoderChannels[0], skips[1], 3, decoderChannels[1]);
        _decode1 = new UpsamplingBlock(w, "decoder.decode1", decoderChannels[1], skips[0], 3, decoderChannels[2]);
        _decode0 = new OutputBlock(w, decoderChannels[2], 3, HiddenChannels);
        _projectMat = new Projection(w, "project_mat", HiddenChannels, 4);
        if (w.Contains("project_seg.conv.weight")) _projectSeg = new Projection(w, "project_seg", HiddenChannels, 1);
        if (refiner == RvmRefiner.DeepGuidedFilter) _deepGuidedFilter = new DeepGuidedFilter(w, HiddenChannels);
        StateChannels = backbone == RvmBackbone.ResNet50 ? RvmGeometry.ResNet50StateChannels : RvmGeometry.StateChannels;
    }

    /// <summary>Where the weights came from.</summary>
    public string Source { get; }

    public RvmBackbone Backbone { get; }

    /// <summary>The refiner used for ratios below 1.</summary>
    public RvmRefiner Refiner { get; }

    /// <summary>Whether the weights have the segmentation head (<c>project_seg</c>; the TF.js model has none).</summary>
    public bool HasSegmentation => _projectSeg is not null;

    /// <summary>Channels of the recurrent states r1..r4.</summary>
    public IReadOnlyList<int> StateChannels { get; }

    /// <summary>
    /// Builds the network from weights under the official key names. The backbone is told by the keys; the refiner
    /// is the deep guided filter when the weights hold one (<c>refiner.*</c>), else the fast guided filter, unless
    /// <paramref name="refiner"/> asks otherwise. Missing or misshapen tensors throw <see cref="WeightsFormatException"/>.
    /// </summary>
    public static RvmNetwork FromWeights(WeightSet weights, RvmRefiner? refiner = null)
    {
        RvmBackbone backbone;
        if (weights.Contains("backbone.features.0.0.weight")) backbone = RvmBackbone.MobileNetV3;
        else if (weights.Contains("backbone.conv1.weight")) backbone = RvmBackbone.ResNet50;
        else
            throw new WeightsFormatException(weights.Source,
                "not an RVM model: neither 'backbone.features.0.0.weight' (MobileNetV3) nor 'backbone.conv1.weight' (ResNet50) is there");

        bool hasDeep = DeepGuidedFilter.IsIn(weights);
        if (refiner == RvmRefiner.DeepGuidedFilter && !hasDeep)
            throw new WeightsFormatException(weights.Source,
                "the deep guided filter was asked for, but the weights have none (no 'refiner.box_filter.weight'); use the fast guided filter");
        return new RvmNetwork(weights, backbone, refiner ?? (hasDeep ? RvmRefiner.DeepGuidedFilter : RvmRefiner.FastGuidedFilter));
    }

    /// <summary>The sizes this network runs at for a frame size and ratio.</summary>
    public RvmGeometry Geometry(int frameWidth, int frameHeight, double downsampleRatio)
        => new(frameWidth, frameHeight, downsampleRatio, StateChannels);

    internal ModelGraph BuildModel(RvmGeometry geo, SourceFormat format, NetworkPass pass = NetworkPass.Matting,
        int frames = 1, MatteOutputs outputs = MatteOutputs.Combined)
    {
        if (frames < 1) throw new ArgumentOutOfRangeException(nameof(frames), frames, "at least one frame per call");
        if (pass == NetworkPass.Segmentation && _projectSeg is null)
            throw new WeightsFormatException(Source, "the weights have no segmentation head ('project_seg.conv.weight' is missing)");
        var g = new GraphBuilder(Backbone == RvmBackbone.ResNet50 ? "rvm_resnet50" : "rvm_mobilenetv3");
        var frame = SourceInput(g, geo, format, frames);
        var states = new GraphValue[4];
        for (int i = 0; i < 4; i++)
            states[i] = g.Input($"r{i + 1}i", DataType.Float, geo.StateShapes[i].Select(d => (long)d).ToArray());

        // Below ratio 1 the frame at full resolution is only read through the refiner's guide [R, G, B, grey], so
        // the guide is made from it first and the network's input is the guide downsampled: no float copy of the
        // frame. At ratio 1 the frame is the network's input, as floats in 0..1.
        RefinerGuide? guide = null;
        GraphValue? src = null, coarseGuide = null;
        GraphValue srcSm;
        if (geo.Refine)
        {
            guide = RefinerGuide.FromFrame(g, frame);
            coarseGuide = guide.Downsampled(g, geo);
            srcSm = g.Split(coarseGuide, 1, 3, 1)[0];
        }
        else
        {
            src = frame.ElementType == DataType.Uint8 ? g.Mul(g.Cast(frame, DataType.Float), g.Constant(1f / 255)) : frame;
            srcSm = src;
        }

        var (f1, f2, f3, f4) = _encoder.Forward(g, srcSm);
        f4 = _aspp.Forward(g, f4);

        var s1 = g.AveragePool(srcSm, 2, 2, ceilMode: true);
        var s2 = g.AveragePool(s1, 2, 2, ceilMode: true);
        var s3 = g.AveragePool(s2, 2, 2, ceilMode: true);
        var (x4, r4) = _decode4.Forward(g, f4, states[3]);
        var (x3, r3) = _decode3.Forward(g, x4, f3, s3, states[2]);
        var (x2, r2) = _decode2.Forward(g, x3, f2, s2, states[1]);
        var (x1, r1) = _decode1.Forward(g, x2, f1, s1, states[0]);
        var hidden = _decode0.Forward(g, x1, srcSm);

        if (pass == NetworkPass.Segmentation)
        {
            // The official head's raw logits at network resolution, and for users a probability map at frame size.
            var seg = _projectSeg!.Forward(g, hidden);
            var probability = g.Sigmoid(seg);
            if (geo.Refine) probability = g.ResizeBilinearToSize(probability, geo.FrameHeight, geo.FrameWidth);
            g.Output(seg, "seg");
            g.Output(probability, "seg_probability");
        }
        else
        {
            // Foreground (channels 0..2) and alpha (3) as one tensor, not yet clamped.
            GraphValue matte;
            var projected = _projectMat.Forward(g, hidden);
            if (guide is null)
            {
                // The foreground is a residual over the image: adding [image, 0] keeps the four channels together.
                var noAlpha = g.Zeros(src!.Dim(0), 1, src.Dim(2), src.Dim(3));
                matte = g.Add(projected, g.Concat(1, src, noAlpha));
            }
            else
            {
                matte = _deepGuidedFilter is null
                    ? FastGuidedFilter.Forward(g, guide, coarseGuide!, projected)
                    : _deepGuidedFilter.Forward(g, guide, coarseGuide!, projected, hidden);
            }
            OutputMatte(g, matte, outputs);
        }
        g.Output(r1, "r1o");
        g.Output(r2, "r2o");
        g.Output(r3, "r3o");
        g.Output(r4, "r4o");
        return new ModelGraph(g.ToBytes(), g.ConvMultiplyAdds);
    }

    private static void OutputMatte(GraphBuilder g, GraphValue matte, MatteOutputs outputs)
    {
        switch (outputs)
        {
            case MatteOutputs.Combined:
                g.Output(g.Clip(matte, 0f, 1f), "matte");
                break;
            case MatteOutputs.Separate:
                var parts = g.Split(g.Clip(matte, 0f, 1f), 1, 3, 1);
                g.Output(parts[0], "fgr");
                g.Output(parts[1], "pha");
                break;
            case MatteOutputs.Bytes:
                // Quantizing saturates, so no clamp is needed; the rounding (half to even) is the one the float results
                // get when converted to bytes.
                var bytes = g.Split(g.FloatToBytes(matte, 1f / 255), 1, 3, 1);
                g.Output(g.Transpose(bytes[0], 0, 2, 3, 1), "fgr");
                g.Output(bytes[1], "pha");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(outputs), outputs, null);
        }
    }

    /// <summary>The frames as planes [T, 3, H, W]: bytes, or floats in 0..1.</summary>
    private static GraphValue SourceInput(GraphBuilder g, RvmGeometry geo, SourceFormat format, int frames)
        => g.Input("src", format == SourceFormat.PlanarFloat ? DataType.Float : DataType.Uint8, frames, 3, geo.FrameHeight, geo.FrameWidth);

}
