using MatteKit.Onnx;
using DataType = MatteKit.Onnx.Protobuf.TensorProto.Types.DataType;
using MatteKit.Layers;

namespace MatteKit.Bgm;

/// <summary>
/// BackgroundMattingV2 (Lin et al., CVPR 2021): the frame and the captured background plate, downsampled by the
/// backbone scale, go through the encoder (MobileNetV2, ResNet-50 or ResNet-101), ASPP and the decoder, giving coarse
/// alpha, foreground residual, error and hidden features; the <see cref="PatchRefiner"/> recomputes the uncertain
/// 4x4 patches at full resolution. <see cref="BuildModel"/> emits one ONNX graph for one frame size and setting.
/// </summary>
internal sealed class BgmNetwork
{
    internal const float BatchNormEps = 1e-5f;
    private const int HiddenChannels = 32;

    /// <summary>What to download when plate mode has no BGMv2 weights.</summary>
    public const string DownloadHint =
        "background-plate mode needs BackgroundMattingV2 weights: download an official PyTorch checkpoint " +
        "(pytorch_mobilenetv2.pth, pytorch_resnet50.pth or pytorch_resnet101.pth) from the Google Drive folder linked in " +
        "the README of https://github.com/PeterL1n/BackgroundMattingV2 and pass it as Weights";

    private readonly IBgmEncoder _encoder;
    private readonly Aspp _aspp;
    private readonly BgmDecoder _decoder;
    private readonly PatchRefiner _refiner;

    private BgmNetwork(WeightSet w, BgmBackbone backbone)
    {
        Source = w.Source;
        Backbone = backbone;
        _encoder = backbone == BgmBackbone.MobileNetV2 ? new MobileNetV2Encoder(w, 6) : new ResNetEncoder(w, 6, backbone);
        _aspp = new Aspp(w, _encoder.FeatureChannels[0]);
        _decoder = new BgmDecoder(w, _aspp.OutChannels, _encoder.FeatureChannels[1..], 6);
        _refiner = new PatchRefiner(w, HiddenChannels);
    }

    public string Source { get; }
    public BgmBackbone Backbone { get; }

    /// <summary>
    /// Builds the network from a BGMv2 <c>MattingRefine</c> state_dict under the official key names; the backbone is
    /// read off the keys. Anything else throws <see cref="WeightsFormatException"/> naming the file.
    /// </summary>
    public static BgmNetwork FromWeights(WeightSet weights)
    {
        if (!weights.Contains("refiner.conv1.weight") || !weights.Contains("decoder.conv4.weight"))
        {
            string what = weights.Contains("project_mat.conv.weight") || weights.Contains("decoder.decode0.conv.0.weight")
                ? "this is a Robust Video Matting model"
                : "tensor 'refiner.conv1.weight' is missing";
            throw new WeightsFormatException(weights.Source, $"not a BackgroundMattingV2 model ({what}); {DownloadHint}");
        }
        BgmBackbone backbone;
        if (weights.Contains("backbone.features.0.0.weight")) backbone = BgmBackbone.MobileNetV2;
        else if (weights.Contains("backbone.layer3.22.conv1.weight")) backbone = BgmBackbone.ResNet101;
        else if (weights.Contains("backbone.layer3.5.conv1.weight")) backbone = BgmBackbone.ResNet50;
        else throw new WeightsFormatException(weights.Source, "BackgroundMattingV2 model with an unknown backbone (neither MobileNetV2 nor ResNet-50/101 keys)");
        return new BgmNetwork(weights, backbone);
    }

    /// <summary>
    /// The graph for one frame size and refine setting. Inputs <c>src</c>, <c>bgr</c>: uint8 [1, H, W, 3] RGB.
    /// Outputs <c>pha</c> [1,1,H,W], <c>fgr</c> [1,3,H,W], the base network's <c>pha_sm</c>, <c>fgr_sm</c>,
    /// <c>err_sm</c>, and <c>ref_sm</c> [1,1,H4,W4] (1 where a patch was refined; H4, W4 = padded size / 4).
    /// With <paramref name="withInternals"/> also <c>decoder_raw</c>, and outside full mode the patch list
    /// <c>idx</c> [P,2] (y, x) and the raw refined patches <c>patches</c> [P,4,4,4].
    /// </summary>
    internal ModelGraph BuildModel(BgmGeometry geo, bool withInternals = false)
    {
        var g = new GraphBuilder("bgmv2_" + Backbone.ToString().ToLowerInvariant());
        var src = FrameInput(g, "src", geo);
        var bgr = FrameInput(g, "bgr", geo);

        var srcSm = g.ResizeBilinearToSize(src, geo.BaseHeight, geo.BaseWidth);
        var bgrSm = g.ResizeBilinearToSize(bgr, geo.BaseHeight, geo.BaseWidth);
        var raw = Base(g, g.Concat(1, srcSm, bgrSm));
        var parts = g.Split(raw, 1, 1, 3, 1, HiddenChannels);
        var alphaSm = g.Clip(parts[0], 0f, 1f);
        var errorSm = g.Clip(parts[2], 0f, 1f);
        var hidden = g.Relu(parts[3]);

        var refined = _refiner.Forward(g, geo, g.Concat(1, src, bgr), alphaSm, parts[1], errorSm, hidden);
        var output = g.Split(refined.Output, 1, 1, 3);
        var pha = g.CropTopLeft(g.Clip(output[0], 0f, 1f), geo.FrameHeight, geo.FrameWidth);
        var fgr = g.CropTopLeft(g.Clip(g.Add(output[1], src), 0f, 1f), geo.FrameHeight, geo.FrameWidth);

        g.Output(pha, "pha");
        g.Output(fgr, "fgr");
        g.Output(alphaSm, "pha_sm");
        g.Output(g.Clip(g.Add(parts[1], srcSm), 0f, 1f), "fgr_sm");
        g.Output(errorSm, "err_sm");
        g.Output(refined.Selected, "ref_sm");
        if (withInternals)
        {
            g.Output(raw, "decoder_raw");
            if (refined.PatchIndices is not null) g.Output(refined.PatchIndices, "idx");
            if (refined.Patches is not null) g.Output(refined.Patches, "patches");
        }
        return new ModelGraph(g.ToBytes(), g.ConvMultiplyAdds);
    }

    /// <summary>
    /// The base network alone at full resolution (the official <c>MattingBase</c>): outputs <c>pha</c>, <c>fgr</c>,
    /// <c>err</c> for a frame whose sides are multiples of 4.
    /// </summary>
    internal ModelGraph BuildBaseModel(int width, int height)
    {
        var geo = new BgmGeometry(width, height, 1.0, RefineMode.Full, 16, 0f);
        if (geo.Width != width || geo.Height != height) throw new ArgumentException("the base model takes sides that are multiples of 4");
        var g = new GraphBuilder("bgmv2_base_" + Backbone.ToString().ToLowerInvariant());
        var src = FrameInput(g, "src", geo);
        var bgr = FrameInput(g, "bgr", geo);
        var parts = g.Split(Base(g, g.Concat(1, src, bgr)), 1, 1, 3, 1, HiddenChannels);
        g.Output(g.Clip(parts[0], 0f, 1f), "pha");
        g.Output(g.Clip(g.Add(parts[1], src), 0f, 1f), "fgr");
        g.Output(g.Clip(parts[2], 0f, 1f), "err");
        return new ModelGraph(g.ToBytes(), g.ConvMultiplyAdds);
    }

    /// <summary>Encoder, ASPP, decoder: the 37 raw channels at the input's size.</summary>
    private GraphValue Base(GraphBuilder g, GraphValue input)
    {
        var (x4, x3, x2, x1) = _encoder.Forward(g, input);
        return _decoder.Forward(g, _aspp.Forward(g, x4), x3, x2, x1, input);
    }

    /// <summary>
    /// An RGB byte input [1, H, W, 3] as float NCHW in 0..1 (<c>byte / 255</c>, as the official code divides),
    /// padded by repeating the last row and column to the multiple of 4 the refiner's patches need.
    /// </summary>
    private static GraphValue FrameInput(GraphBuilder g, string name, BgmGeometry geo)
    {
        var bytes = g.Input(name, DataType.Uint8, 1, geo.FrameHeight, geo.FrameWidth, 3);
        var image = g.Div(g.Cast(g.Transpose(bytes, 0, 3, 1, 2), DataType.Float), g.Constant(255f));
        return g.Pad(image, 0, 0, geo.Height - geo.FrameHeight, geo.Width - geo.FrameWidth, edge: true);
    }
}
