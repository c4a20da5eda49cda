using MatteKit.Layers;
using MatteKit.Onnx;
using MatteKit.Weights;
using DataType = MatteKit.Onnx.Protobuf.TensorProto.Types.DataType;

namespace MatteKit.Subjects;

/// <summary>
/// MediaPipe's BlazePose GHUM landmark model as an ONNX graph, translated from its <c>.tflite</c>: one person's
/// crop in, their segmentation, pose flag and landmarks out. Only the operators these three outputs need are
/// translated (the heatmap and world-landmark heads are left out).
/// </summary>
/// <remarks>
/// Input: <c>crop</c> uint8 [1, 3, 256, 256] (RGB planes; the graph divides by 255, MediaPipe's 0..1 range).
/// Outputs: <c>mask</c> float [1, 1, 256, 256], the person probability (the model gives logits; MediaPipe's
/// TensorsToSegmentationCalculator applies this sigmoid after it); <c>flag</c> float [1, 1], the pose flag, already
/// a probability; <c>landmarks</c> float [1, 195], 39 landmarks of (x, y in crop pixels, z, visibility logit,
/// presence logit).
/// </remarks>
internal static class PoseLandmarkGraph
{
    /// <summary>The model's output tensors, as its file names them.</summary>
    public const string LandmarksTensor = "Identity", FlagTensor = "Identity_1", SegmentationTensor = "Identity_2";

    public const int Landmarks = 39, LandmarkValues = 5;

    public static ModelGraph Build(TfliteModel model)
    {
        if (model.Inputs.Count != 1)
            throw new WeightsFormatException(model.Source, $"expected one input, the model has {model.Inputs.Count}");
        var input = model.Tensors[model.Inputs[0]];
        int side = PoseRoi.CropSide;
        if (!input.Shape.SequenceEqual(new[] { 1, side, side, 3 }) || input.Type != TfliteType.Float32)
            throw new WeightsFormatException(model.Source, $"input {input}: expected one float32 RGB image [1, {side}, {side}, 3]");

        var g = new GraphBuilder("blazepose_ghum_landmark");
        var crop = g.Input("crop", DataType.Uint8, 1, 3, side, side);
        var image = g.Mul(g.Cast(crop, DataType.Float), g.Constant(1f / 255));
        var outputs = TfliteTranslator.Translate(g, model, image, SegmentationTensor, FlagTensor, LandmarksTensor);
        var (segmentation, flag, landmarks) = (outputs[0], outputs[1], outputs[2]);
        Expect(model, SegmentationTensor, segmentation, 1, 1, side, side);
        Expect(model, FlagTensor, flag, 1, 1);
        Expect(model, LandmarksTensor, landmarks, 1, Landmarks * LandmarkValues);
        g.Output(g.Sigmoid(segmentation), "mask");
        g.Output(flag, "flag");
        g.Output(landmarks, "landmarks");
        return new ModelGraph(g.ToBytes(), g.ConvMultiplyAdds);
    }

    private static void Expect(TfliteModel model, string tensor, GraphValue value, params long[] shape)
    {
        if (!value.Shape.SequenceEqual(shape))
            throw new WeightsFormatException(model.Source, $"output '{tensor}' is [{string.Join("x", value.Shape)}], expected [{string.Join("x", shape)}]");
    }
}
