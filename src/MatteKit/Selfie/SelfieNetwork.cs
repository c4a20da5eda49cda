using System.Reflection;
using MatteKit.Weights;

namespace MatteKit.Selfie;

/// <summary>
/// A selfie segmentation model read from its <c>.tflite</c>: the embedded MediaPipe files by default, or a file
/// with the same structure. The network's input size is the one the file stores.
/// </summary>
internal sealed class SelfieNetwork
{
    private SelfieNetwork(TfliteModel model)
    {
        Model = model;
        var input = model.Tensors[model.Inputs[0]];
        if (input.Shape.Length != 4 || input.Shape[0] != 1 || input.Shape[3] != 3 || input.Type != TfliteType.Float32)
            throw new WeightsFormatException(model.Source, $"input {input}: expected one float32 RGB image [1, H, W, 3]");
        var output = model.Tensors[model.Outputs[0]];
        if (output.Shape.Length != 4 || output.Shape[3] != 1 || output.Shape[1] != input.Shape[1] || output.Shape[2] != input.Shape[2])
            throw new WeightsFormatException(model.Source, $"output {output}: expected one mask [1, H, W, 1] of the input's size");
        Height = input.Shape[1];
        Width = input.Shape[2];
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
