using System.Globalization;
using Google.Protobuf;
using MatteKit.Onnx;
using MatteKit.Onnx.Protobuf;

namespace MatteKit.Rvm;

/// <summary>
/// The graph MatteKit builds, as a stand-alone ONNX file for deployment elsewhere (TensorRT, OpenVINO, mobile):
/// static shapes for one frame size and a fixed ratio, so no dynamic <c>downsample_ratio</c> input. Interface as the
/// official exports minus that input: <c>src</c> [1,3,H,W] RGB 0..1, <c>r1i..r4i</c> at their full static shapes (zeros
/// for the first frame), outputs <c>fgr, pha, r1o..r4o</c>. Float16: weights, activations and all inputs and
/// outputs in float16, like the official fp16 exports. Int8: the graph <c>MattingSettings.Int8</c> runs (the encoder and
/// LR-ASPP as QuantizeLinear/DequantizeLinear around int8 weights, which ONNX Runtime fuses into QLinearConv and its
/// other integer kernels), with float inputs and outputs.
/// </summary>
internal static class RvmOnnxExport
{
    /// <summary>Metadata entry holding the ratio the file was built for (the file has no ratio input).</summary>
    public const string RatioMetadataKey = "mattekit.downsample_ratio";

    /// <summary>The file's bytes; <paramref name="int8Ranges"/>: the activation ranges calibrated for the network for an int8 file, null for float.</summary>
    public static byte[] Build(RvmNetwork network, int frameWidth, int frameHeight, double downsampleRatio, bool float16, ActivationRanges? int8Ranges = null)
    {
        if (float16 && int8Ranges is not null) throw new ArgumentException("a file is float16 or int8, not both", nameof(int8Ranges));
        var geometry = network.Geometry(frameWidth, frameHeight, downsampleRatio);
        var int8 = int8Ranges is null ? null : Int8Quantization.With(int8Ranges);
        var graph = RvmGraph.Build(network, geometry, SourceFormat.PlanarFloat, NetworkPass.Matting, outputs: MatteOutputs.Separate, int8: int8);
        var model = ModelProto.Parser.ParseFrom(graph.OnnxBytes);
        if (float16) Float16Conversion.Apply(model);
        void Meta(string key, string value) => model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        Meta(RatioMetadataKey, downsampleRatio.ToString("R", CultureInfo.InvariantCulture));
        Meta("mattekit.frame_size", $"{frameWidth}x{frameHeight}");
        Meta("mattekit.network_size", $"{geometry.NetworkWidth}x{geometry.NetworkHeight}");
        Meta("mattekit.backbone", network.Backbone.ToString());
        Meta("mattekit.refiner", geometry.Refine ? network.Refiner.ToString() : "none (ratio 1)");
        Meta("mattekit.precision", float16 ? "float16 (inputs, outputs, weights, activations)"
            : int8 is not null ? "int8 (encoder and LR-ASPP: int8 weights, uint8 activations; float inputs, outputs, decoder and refiner)" : "float32");
        Meta("mattekit.weights", Path.GetFileName(network.Source));
        return model.ToByteArray();
    }

    /// <summary>Writes the file under a temporary name and renames it when complete.</summary>
    public static void Write(string path, RvmNetwork network, int frameWidth, int frameHeight, double downsampleRatio, bool float16,
        ActivationRanges? int8Ranges = null)
    {
        var bytes = Build(network, frameWidth, frameHeight, downsampleRatio, float16, int8Ranges);
        Media.OutputFile.WriteAllBytes(path, bytes);
    }
}
