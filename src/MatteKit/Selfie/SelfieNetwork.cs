using System.Reflection;
using MatteKit.Layers;
using MatteKit.Onnx;
using MatteKit.Weights;
using DataType = MatteKit.Onnx.Protobuf.TensorProto.Types.DataType;

namespace MatteKit.Selfie;

/// <summary>
/// A selfie segmentation model read from its <c>.tflite</c>: the embedded MediaPipe files by default, or a file
/// with the same structure. The network's input size is the one the file stores.
/// </summary>
internal sealed class SelfieNetwork
{
    /// <summary>
    /// The largest network input side: four times the shipped models' 256. Every session allocates buffers of the
    /// network's size and ONNX Runtime works at it, so a file must not choose it freely.
    /// </summary>
    public const int MaxInputSide = 1024;

    private SelfieNetwork(TfliteModel model)
    {
        Model = model;
        if (model.Inputs.Count != 1 || model.Outputs.Count != 1)
            throw new WeightsFormatException(model.Source, $"expected one input and one output, the model has {model.Inputs.Count} and {model.Outputs.Count}");
        var input = model.Tensors[model.Inputs[0]];
        if (input.Shape.Length != 4 || input.Shape[0] != 1 || input.Shape[3] != 3 || input.Type != TfliteType.Float32)
            throw new WeightsFormatException(model.Source, $"input {input}: expected one float32 RGB image [1, H, W, 3]");
        if (input.Shape[1] is < 1 or > MaxInputSide || input.Shape[2] is < 1 or > MaxInputSide)
            throw new WeightsFormatException(model.Source, $"input {input}: the network's height and width must be 1 to {MaxInputSide}");
        var output = model.Tensors[model.Outputs[0]];
        if (output.Shape.Length != 4 || output.Shape[3] != 1 || output.Shape[1] != input.Shape[1] || output.Shape[2] != input.Shape[2])
            throw new WeightsFormatException(model.Source, $"output {output}: expected one mask [1, H, W, 1] of the input's size");
        Height = input.Shape[1];
        Width = input.Shape[2];
        // Translated once here, so that a file that does not make a network fails when it is loaded rather than at
        // the first frame (where `live` would have started its sources and outputs).
        var g = new GraphBuilder("check");
        TfliteTranslator.Translate(g, model, g.Input("image", DataType.Float, 1, 3, Height, Width));
    }

    public TfliteModel Model { get; }
    public int Width { get; }
    public int Height { get; }
    public string Source => Model.Source;

    public static SelfieNetwork Embedded(SelfieModel model)
    {
        string file = model switch
        {
            SelfieModel.General => "selfie_segmentation.tflite",
            SelfieModel.Landscape => "selfie_segmentation_landscape.tflite",
            _ => throw new ArgumentOutOfRangeException(nameof(model), model, null),
        };
        string name = "MatteKit.Models.mediapipe_selfie." + file;
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded model {name} is missing from the assembly");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return new SelfieNetwork(TfliteModel.Read(bytes, $"embedded:mediapipe/{file}"));
    }

    public static SelfieNetwork Read(string path) => new(TfliteModel.Read(path));
}
