using MatteKit.Onnx;
using MatteKit.Weights;
using DataType = MatteKit.Onnx.Protobuf.TensorProto.Types.DataType;

namespace MatteKit.Subjects;

/// <summary>
/// MoveNet MultiPose's network (MobileNetV2 with an FPN and six CenterNet heads) written from its TF.js graph into
/// MatteKit's ONNX graph, in NCHW: the nodes the heads depend on are translated one by one (convolutions with
/// their fused bias and activation, depthwise convolutions, additions, the FPN's bilinear upsampling), and the
/// few integer nodes that compute the upsampling sizes from static shapes are evaluated here. The graph's own
/// decoding of the heads into poses (top-k centres, gathers) is done by <see cref="MoveNetDecoder"/> in C#.
/// </summary>
/// <remarks>
/// The frame comes in as planar bytes, is scaled to fit <see cref="MoveNetInput"/> keeping its aspect and padded
/// with black at the right and bottom (the letterbox MoveNet's documentation asks for), and feeds the graph's
/// <c>input</c> (RGB 0..255). Outputs, NCHW at a quarter of the input: <c>center</c> and <c>heatmap</c>
/// (probabilities, 1 and 17 channels), <c>regress</c> and <c>offset</c> (17 (y, x) pairs), <c>box_scale</c>
/// (height, width) and <c>box_offset</c> (y, x), in grid cells.
/// </remarks>
internal sealed class MoveNetGraph
{
    public static readonly (string Output, string Node, bool Sigmoid)[] Heads =
    {
        ("center", "StatefulPartitionedCall/center_0/conv2d_4/BiasAdd", true),
        ("heatmap", "StatefulPartitionedCall/kpt_heatmap_0/conv2d_7/BiasAdd", true),
        ("regress", "StatefulPartitionedCall/kpt_regress_0/conv2d_8/BiasAdd", false),
        ("offset", "StatefulPartitionedCall/kpt_offset_0/conv2d_9/BiasAdd", false),
        ("box_scale", "StatefulPartitionedCall/box_scale_0/conv2d_5/BiasAdd", false),
        ("box_offset", "StatefulPartitionedCall/box_offset_0/conv2d_6/BiasAdd", false),
    };

    private readonly GraphBuilder _g;
    private readonly TfjsGraph _graph;
    private readonly GraphValue _input;
    private readonly Dictionary<string, GraphValue> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int[]> _ints = new(StringComparer.Ordinal);

    private MoveNetGraph(GraphBuilder g, TfjsGraph graph, GraphValue input)
    {
        _g = g;
        _graph = graph;
        _input = input;
    }

    /// <summary>The graph for frames of <paramref name="frameWidth"/> x <paramref name="frameHeight"/> letterboxed into <paramref name="input"/>.</summary>
    public static Layers.ModelGraph Build(TfjsGraph graph, int frameWidth, int frameHeight, MoveNetInput input)
    {
        var g = new GraphBuilder("movenet_multipose");
        var src = g.Input("src", DataType.Uint8, 1, 3, frameHeight, frameWidth);
        var rgb = g.Cast(src, DataType.Float);
        if (input.ScaledWidth != frameWidth || input.ScaledHeight != frameHeight)
            rgb = g.ResizeBilinearToSize(rgb, input.ScaledHeight, input.ScaledWidth);
        rgb = g.Pad(rgb, 0, 0, input.Height - input.ScaledHeight, input.Width - input.ScaledWidth);
        var translator = new MoveNetGraph(g, graph, rgb);
        foreach (var (output, node, sigmoid) in Heads)
        {
            var head = translator.Value(node);
            g.Output(sigmoid ? g.Sigmoid(head) : head, output);
        }
        return new Layers.ModelGraph(g.ToBytes(), g.ConvMultiplyAdds);
    }

    private GraphValue Value(string input)
    {
        string name = TfjsNode.NodeName(input);
        if (_values.TryGetValue(name, out var known)) return known;
        var node = _graph.Node(name);
        var value = node.Op switch
        {
            "Placeholder" => _input,
            "Cast" => Cast(node),
            "Sub" or "Mul" or "AddV2" or "Add" or "RealDiv" => Elementwise(node),
            "_FusedConv2D" => Conv(node, depthwise: false, fused: true),
            "FusedDepthwiseConv2dNative" => Conv(node, depthwise: true, fused: true),
            "DepthwiseConv2dNative" => Conv(node, depthwise: true, fused: false),
            "Conv2D" => Conv(node, depthwise: false, fused: false),
            "ResizeBilinear" => Resize(node),
            "Relu" => _g.Relu(Value(node.Inputs[0])),
            "Relu6" => _g.Clip(Value(node.Inputs[0]), 0f, 6f),
            "Sigmoid" => _g.Sigmoid(Value(node.Inputs[0])),
            _ => throw Unsupported(node, "is not an operator MatteKit translates in a network"),
        };
        return _values[name] = value;
    }

    /// <summary>The input's cast from int32 RGB to float: the frame is float here already.</summary>
    private GraphValue Cast(TfjsNode node)
    {
        var x = Value(node.Inputs[0]);
        if (x != _input) throw Unsupported(node, "casts something other than the input");
        return x;
    }

    private GraphValue Elementwise(TfjsNode node)
    {
        var (a, b) = (Operand(node.Inputs[0]), Operand(node.Inputs[1]));
        return node.Op switch
        {
            "Sub" => _g.Sub(a, b),
            "Mul" => _g.Mul(a, b),
            "RealDiv" => _g.Div(a, b),
            _ => _g.Add(a, b),
        };
    }

    /// <summary>A computed value, or a float constant laid out as the NCHW values are (NHWC [1, 1, 1, C] becomes [1, C, 1, 1]).</summary>
    private GraphValue Operand(string input)
    {
        string name = TfjsNode.NodeName(input);
        if (_graph.Nodes.TryGetValue(name, out var node) && node.Op == "Const")
        {
            var t = Weight(name);
            var shape = t.Shape.Length == 4 ? new long[] { t.Shape[0], t.Shape[3], t.Shape[1], t.Shape[2] } : t.Shape.Select(d => (long)d).ToArray();
            var data = t.Shape.Length == 4 ? ArrayTranspose.Apply(FloatData(t), t.Shape, new[] { 0, 3, 1, 2 }) : FloatData(t);
            return _g.Constant(data, shape);
        }
        return Value(input);
    }

    private GraphValue Conv(TfjsNode node, bool depthwise, bool fused)
    {
        var x = Value(node.Inputs[0]);
        var filter = Weight(TfjsNode.NodeName(node.Inputs[1]));
        var strides = node.Ints("strides");
        var dilations = node.Ints("dilations");
        if (strides.Length != 4 || dilations.Any(d => d != 1) || node.Text("data_format") is not (null or "NHWC"))
            throw Unsupported(node, "has strides, dilations or a layout other than NHWC with unit dilation");
        var stride = ((int)strides[1], (int)strides[2]);
        int kh = filter.Shape[0], kw = filter.Shape[1], inC = filter.Shape[2], outC = filter.Shape[3];
        var pads = node.Text("padding") switch
        {
            "SAME" => TensorFlowPadding.Same(x.Dim(2), x.Dim(3), stride, kh, kw),
            "VALID" => (0, 0, 0, 0),
            var p => throw Unsupported(node, $"has padding {p}"),
        };
        GraphValue weight;
        int groups = 1;
        if (depthwise)
        {
            // [kh, kw, C, m] -> [C*m, 1, kh, kw]: output channel c*m + j reads input channel c, as ONNX's groups do.
            weight = _g.Constant(ArrayTranspose.Apply(FloatData(filter), filter.Shape, new[] { 2, 3, 0, 1 }), inC * outC, 1, kh, kw);
            groups = inC;
        }
        else
        {
            // [kh, kw, I, O] -> [O, I, kh, kw]
            weight = _g.Constant(ArrayTranspose.Apply(FloatData(filter), filter.Shape, new[] { 3, 2, 0, 1 }), outC, inC, kh, kw);
        }
        GraphValue? bias = null;
        string[] fusedOps = fused ? node.Texts("fused_ops") : Array.Empty<string>();
        if (fused)
        {
            if (fusedOps.Length == 0 || fusedOps[0] != "BiasAdd" || fusedOps.Length > 2)
                throw Unsupported(node, $"fuses [{string.Join(", ", fusedOps)}]; only BiasAdd and one activation are translated");
            bias = _g.Constant(FloatData(Weight(TfjsNode.NodeName(node.Inputs[2]))), weight.Shape[0]);
        }
        var y = _g.Conv(x, weight, bias, stride, pads, groups: groups);
        return fusedOps.Length == 2
            ? fusedOps[1] switch
            {
                "Relu" => _g.Relu(y),
                "Relu6" => _g.Clip(y, 0f, 6f),
                var a => throw Unsupported(node, $"fuses activation {a}"),
            }
            : y;
    }

    private GraphValue Resize(TfjsNode node)
    {
        var x = Value(node.Inputs[0]);
        var size = Ints(node.Inputs[1]);
        if (size.Length != 2 || size.Any(s => s < 1 || s > 65536)) throw Unsupported(node, $"resizes to [{string.Join(", ", size)}]");
        string mode = node.Flag("align_corners") ? "align_corners" : node.Flag("half_pixel_centers") ? "half_pixel" : "asymmetric";
        return _g.ResizeBilinearToSize(x, size[0], size[1], mode);
    }

    /// <summary>
    /// An int32 value known while building: a constant, the static shape of a computed value (NHWC, as TensorFlow
    /// sees it), a slice of one, or a product. The FPN computes its upsampling sizes this way.
    /// </summary>
    private int[] Ints(string input)
    {
        string name = TfjsNode.NodeName(input);
        if (_ints.TryGetValue(name, out var known)) return known;
        var node = _graph.Node(name);
        int[] result;
        switch (node.Op)
        {
            case "Const":
                result = Weight(name).Ints ?? throw Unsupported(node, "is not an int32 constant");
                break;
            case "Shape":
                var v = Value(node.Inputs[0]);
                result = v.Rank == 4 ? new[] { (int)v.Dim(0), (int)v.Dim(2), (int)v.Dim(3), (int)v.Dim(1) } : v.Shape.Select(d => (int)d).ToArray();
                break;
            case "StridedSlice":
                var all = Ints(node.Inputs[0]);
                int begin = Ints(node.Inputs[1]).Single(), end = Ints(node.Inputs[2]).Single(), step = Ints(node.Inputs[3]).Single();
                if (step != 1 || node.Ints("begin_mask") is not [] and not [0] || NodeMask(node) != 0)
                    throw Unsupported(node, "slices with masks or steps; only a plain slice of a shape is evaluated");
                result = all[begin..end];
                break;
            case "Mul":
                var (a, b) = (Ints(node.Inputs[0]), Ints(node.Inputs[1]));
                result = a.Length == b.Length ? a.Zip(b, (p, q) => checked(p * q)).ToArray()
                    : b.Length == 1 ? a.Select(p => checked(p * b[0])).ToArray() : throw Unsupported(node, "multiplies sizes of different lengths");
                break;
            default:
                throw Unsupported(node, "is not an integer operator evaluated while building");
        }
        return _ints[name] = result;
    }

    private static long NodeMask(TfjsNode node)
    {
        long mask = 0;
        foreach (var name in new[] { "begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask" })
            if (node.Attributes.TryGetValue(name, out var a) && a.TryGetProperty("i", out var i))
                mask |= long.Parse(TfjsNode.TextOf(i), System.Globalization.CultureInfo.InvariantCulture);
        return mask;
    }

    /// <summary>A constant read as floats: a filter, a bias or an operand; int32 and bool constants hold none.</summary>
    private float[] FloatData(TfjsTensor t)
        => t.Data ?? throw new WeightsFormatException(_graph.Source, $"constant '{t.Name}' is {t.Dtype} where float32 values belong");

    private TfjsTensor Weight(string name)
        => _graph.Tensors.TryGetValue(name, out var t) ? t : throw new WeightsFormatException(_graph.Source, $"constant '{name}' is not in the weights manifest");

    private WeightsFormatException Unsupported(TfjsNode node, string problem)
        => new(_graph.Source, $"node '{node.Name}' ({node.Op}) {problem}");
}
