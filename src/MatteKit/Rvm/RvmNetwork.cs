using MatteKit.Onnx;
using MatteKit.Weights;
using DataType = MatteKit.Onnx.Protobuf.TensorProto.Types.DataType;

namespace MatteKit.Rvm;

/// <summary>
/// Robust Video Matting (Lin et al., WACV 2022) with the MobileNetV3 encoder and the fast guided filter:
/// encoder -> LR-ASPP -> recurrent decoder (bottleneck, three upsampling blocks, output block) -> projection,
/// refined to full resolution when the frame was downsampled. <see cref="BuildModel"/> emits the ONNX graph for
/// one frame size and ratio, with static shapes.
/// </summary>
public sealed class RvmNetwork
{
    private readonly MobileNetV3Encoder _encoder;
    private readonly LrAspp _aspp;
    private readonly BottleneckBlock _decode4;
    private readonly UpsamplingBlock _decode3;
    private readonly UpsamplingBlock _decode2;
    private readonly UpsamplingBlock _decode1;
    private readonly OutputBlock _decode0;
    private readonly Projection _projectMat;

    private RvmNetwork(WeightSet w)
    {
        Source = w.Source;
        _encoder = new MobileNetV3Encoder(w);
        _aspp = new LrAspp(w, MobileNetV3Encoder.FeatureChannels4, 128);
        _decode4 = new BottleneckBlock(w, 128);
        _decode3 = new UpsamplingBlock(w, "decoder.decode3", 128, 40, 3, 80);
        _decode2 = new UpsamplingBlock(w, "decoder.decode2", 80, 24, 3, 40);
        _decode1 = new UpsamplingBlock(w, "decoder.decode1", 40, 16, 3, 32);
        _decode0 = new OutputBlock(w, 32, 3, 16);
        _projectMat = new Projection(w, "project_mat", 16, 4);
    }

    /// <summary>Where the weights came from.</summary>
    public string Source { get; }

    /// <summary>Builds the network from weights under the official key names; missing or misshapen tensors throw <see cref="WeightsFormatException"/>.</summary>
    public static RvmNetwork FromWeights(WeightSet weights)
    {
        if (!weights.Contains("backbone.features.0.0.weight"))
        {
            var hint = weights.Contains("backbone.conv1.weight") ? " (a ResNet50 RVM model, not supported yet)" : "";
            throw new WeightsFormatException(weights.Source,
                $"not an RVM MobileNetV3 model: tensor 'backbone.features.0.0.weight' is missing{hint}");
        }
        return new RvmNetwork(weights);
    }

    internal ModelGraph BuildModel(RvmGeometry geo, SourceFormat format = SourceFormat.Rgb24)
    {
        var g = new GraphBuilder("rvm_mobilenetv3");
        var (src, srcScale) = SourceImage(g, geo, format);
        var states = new GraphValue[4];
        for (int i = 0; i < 4; i++)
            states[i] = g.Input($"r{i + 1}i", DataType.Float, geo.StateShapes[i].Select(d => (long)d).ToArray());

        // The frame at full resolution stays in whatever scale it arrived in (0..255 for bytes): converting it is
        // a full-resolution pass, so the 1/255 is applied at network resolution and folded into the refiner.
        if (!geo.Refine) src = ToUnitRange(g, src, srcScale);
        var srcSm = geo.Refine
            ? ToUnitRange(g, g.ResizeBilinearByScale(src, geo.DownsampleRatio, geo.NetworkHeight, geo.NetworkWidth), srcScale)
            : src;

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

        var projected = _projectMat.Forward(g, hidden);
        GraphValue fgr, pha;
        if (geo.Refine)
        {
            (fgr, pha) = FastGuidedFilter.Forward(g, src, srcScale, srcSm, projected);
        }
        else
        {
            var parts = g.Split(projected, 1, 3, 1);
            fgr = g.Clip(g.Add(parts[0], src), 0f, 1f);
            pha = g.Clip(parts[1], 0f, 1f);
        }

        g.Output(fgr, "fgr");
        g.Output(pha, "pha");
        g.Output(r1, "r1o");
        g.Output(r2, "r2o");
        g.Output(r3, "r3o");
        g.Output(r4, "r4o");
        return new ModelGraph(g.ToBytes(), g.ConvMultiplyAdds);
    }

    /// <summary>The frame as float32 NCHW RGB, and the factor its values carry (255 for bytes, 1 for floats).</summary>
    private static (GraphValue Image, float Scale) SourceImage(GraphBuilder g, RvmGeometry geo, SourceFormat format)
    {
        if (format == SourceFormat.PlanarFloat)
            return (g.Input("src", DataType.Float, 1, 3, geo.FrameHeight, geo.FrameWidth), 1f);
        // Bytes in, so callers hand over decoder output untouched; transposing the bytes before converting them
        // moves a quarter of the data.
        var rgb = g.Input("src", DataType.Uint8, 1, geo.FrameHeight, geo.FrameWidth, 3);
        return (g.Cast(g.Transpose(rgb, 0, 3, 1, 2), DataType.Float), 255f);
    }

    // x * (1/255) differs from the official byte / 255 by at most one ulp.
    private static GraphValue ToUnitRange(GraphBuilder g, GraphValue image, float scale)
        => scale == 1f ? image : g.Mul(image, g.Constant(1f / scale));
}
