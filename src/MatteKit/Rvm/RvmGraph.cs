using MatteKit.Layers;
using MatteKit.Onnx;
using DataType = MatteKit.Onnx.Protobuf.TensorProto.Types.DataType;

namespace MatteKit.Rvm;

/// <summary>
/// An <see cref="RvmNetwork"/> as an ONNX graph for one frame size and ratio, with static shapes, for a chunk of T
/// consecutive frames: its inputs (the frames as byte or float planes, the states r1i..r4i), which pass runs, and its
/// outputs (foreground and alpha combined, separate or as bytes; or the segmentation; the states r1o..r4o).
/// </summary>
internal static class RvmGraph
{
    public static ModelGraph Build(RvmNetwork network, RvmGeometry geo, SourceFormat format, NetworkPass pass = NetworkPass.Matting,
        int frames = 1, MatteOutputs outputs = MatteOutputs.Combined, Int8Quantization? int8 = null)
    {
        if (frames < 1) throw new ArgumentOutOfRangeException(nameof(frames), frames, "at least one frame per call");
        network.CheckPass(pass);
        var g = new GraphBuilder(network.Backbone == RvmBackbone.ResNet50 ? "rvm_resnet50" : "rvm_mobilenetv3", int8);
        var frame = g.Input("src", format == SourceFormat.PlanarFloat ? DataType.Float : DataType.Uint8, frames, 3, geo.FrameHeight, geo.FrameWidth);
        var states = new GraphValue[4];
        for (int i = 0; i < 4; i++)
            states[i] = g.Input($"r{i + 1}i", DataType.Float, geo.StateShapes[i].Select(d => (long)d).ToArray());

        var (result, next) = network.Forward(g, Prepare(g, frame, geo), states, pass);
        g.CheckAllSitesReached();
        if (pass == NetworkPass.Segmentation)
        {
            // The official head's raw logits at network resolution, and for users a probability map at frame size.
            var probability = g.Sigmoid(result);
            if (geo.Refine) probability = g.ResizeBilinearToSize(probability, geo.FrameHeight, geo.FrameWidth);
            g.Output(result, "seg");
            g.Output(probability, "seg_probability");
        }
        else
        {
            OutputMatte(g, result, outputs);
        }
        for (int i = 0; i < 4; i++) g.Output(next[i], $"r{i + 1}o");
        return new ModelGraph(g.ToBytes(), g.ConvMultiplyAdds);
    }

    /// <summary>
    /// Below ratio 1 the frame at full resolution is only read through the refiner's guide, so the guide is made
    /// from it first and the network's input is the guide downsampled. At ratio 1 the frame is the network's input.
    /// </summary>
    private static NetworkInput Prepare(GraphBuilder g, GraphValue frame, RvmGeometry geo)
    {
        if (geo.Refine)
        {
            var guide = RefinerGuide.FromFrame(g, frame);
            var coarseGuide = guide.Downsampled(g, geo);
            return new NetworkInput(g.Split(coarseGuide, 1, 3, 1)[0], null, guide, coarseGuide);
        }
        var src = frame.ElementType == DataType.Uint8 ? g.Mul(g.Cast(frame, DataType.Float), g.Constant(1f / 255)) : frame;
        return new NetworkInput(src, src, null, null);
    }

    /// <summary>Foreground (channels 0..2) and alpha (3), clamped to 0..1, in the form the caller reads.</summary>
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
}
