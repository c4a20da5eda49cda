using Google.Protobuf;
using MatteKit.Onnx.Protobuf;
using DataType = MatteKit.Onnx.Protobuf.TensorProto.Types.DataType;

namespace MatteKit.Onnx;

/// <summary>
/// Builds an ONNX model one operator at a time. Every helper returns a <see cref="GraphValue"/> whose shape is
/// computed here, so network code can use static sizes (crops, resize targets) the way the paper's figure does,
/// and shape mistakes surface while building rather than inside ONNX Runtime.
/// </summary>
internal sealed partial class GraphBuilder
{
    /// <summary>Opset 17: the last one whose Reduce* ops take axes as an attribute and whose Resize has no antialias.</summary>
    public const int Opset = 17;

    /// <summary>ONNX Runtime's own operators (contrib ops): only ONNX Runtime runs a graph that uses them.</summary>
    public const string MicrosoftDomain = "com.microsoft";

    private readonly GraphProto _graph;
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private bool _usesMicrosoftDomain;
    private readonly Dictionary<string, GraphValue> _sharedInitializers = new(StringComparer.Ordinal);
    private int _counter;

    public GraphBuilder(string name)
    {
        _graph = new GraphProto { Name = name };
    }

    /// <summary>Multiply-adds of the Conv nodes emitted so far (for FLOP/s figures).</summary>
    public long ConvMultiplyAdds { get; private set; }

    public GraphValue Input(string name, DataType type, params long[] shape)
    {
        Claim(name);
        _graph.Input.Add(ValueInfo(name, type, shape));
        return new GraphValue(name, shape, type);
    }

    public void Output(GraphValue value, string name)
    {
        if (value.Name != name) value = Identity(value, name);
        _graph.Output.Add(ValueInfo(value.Name, value.ElementType, value.Shape));
    }

    public GraphValue Initializer(string name, ReadOnlySpan<float> data, params long[] shape)
    {
        Claim(name);
        return AddInitializer(name, data, shape);
    }

    /// <summary>
    /// A named weight that several nodes may read (e.g. a learned box filter applied to four inputs): the first call
    /// adds it, later calls with the same name return it.
    /// </summary>
    public GraphValue SharedInitializer(string name, ReadOnlySpan<float> data, params long[] shape)
    {
        if (_sharedInitializers.TryGetValue(name, out var existing)) return existing;
        var value = Initializer(name, data, shape);
        _sharedInitializers.Add(name, value);
        return value;
    }

    private GraphValue AddInitializer(string name, ReadOnlySpan<float> data, long[] shape)
    {
        var t = new TensorProto { Name = name, DataType = (int)DataType.Float };
        t.Dims.AddRange(shape);
        t.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data));
        _graph.Initializer.Add(t);
        return new GraphValue(name, shape, DataType.Float);
    }

    private GraphValue AddInt64Initializer(string name, long[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)DataType.Int64 };
        t.Dims.Add(values.Length);
        t.Int64Data.AddRange(values);
        _graph.Initializer.Add(t);
        return new GraphValue(name, new long[] { values.Length }, DataType.Int64);
    }

    /// <summary>A float constant with a fresh name, e.g. a scalar used by an element-wise op.</summary>
    public GraphValue Constant(float value) => AddInitializer(FreshName("const"), new[] { value }, Array.Empty<long>());

    public GraphValue Constant(ReadOnlySpan<float> values, params long[] shape) => AddInitializer(FreshName("const"), values, shape);

    public GraphValue Int64Constant(params long[] values) => AddInt64Initializer(FreshName("const"), values);

    /// <summary>A uint8 constant of any shape (no dimensions: a scalar, e.g. a zero point for QuantizeLinear).</summary>
    public GraphValue ByteTensor(byte[] values, params long[] shape)
    {
        var t = new TensorProto { Name = FreshName("const"), DataType = (int)DataType.Uint8, RawData = ByteString.CopyFrom(values) };
        t.Dims.AddRange(shape);
        _graph.Initializer.Add(t);
        return new GraphValue(t.Name, shape, DataType.Uint8);
    }

    /// <summary>An int64 constant of any shape (index offsets and the like).</summary>
    public GraphValue Int64Tensor(long[] values, params long[] shape)
    {
        var t = new TensorProto { Name = FreshName("const"), DataType = (int)DataType.Int64 };
        t.Dims.AddRange(shape);
        t.Int64Data.AddRange(values);
        _graph.Initializer.Add(t);
        return new GraphValue(t.Name, shape, DataType.Int64);
    }

    public ModelProto ToModel(string producer = "MatteKit")
    {
        var model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = producer,
            ProducerVersion = typeof(GraphBuilder).Assembly.GetName().Version?.ToString() ?? "",
            Graph = _graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        if (_usesMicrosoftDomain) model.OpsetImport.Add(new OperatorSetIdProto { Domain = MicrosoftDomain, Version = 1 });
        return model;
    }

    public byte[] ToBytes(string producer = "MatteKit") => ToModel(producer).ToByteArray();

    /// <summary>Adds a node with one output and returns that output with the given shape and type.</summary>
    private GraphValue Node(string op, GraphValue[] inputs, long[] outShape, DataType outType, params AttributeProto[] attributes)
        => Node(op, inputs.Select(i => i.Name).ToArray(), outShape, outType, attributes);

    private GraphValue Node(string op, string[] inputs, long[] outShape, DataType outType, params AttributeProto[] attributes)
    {
        var output = FreshName(op);
        var node = new NodeProto { OpType = op, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return new GraphValue(output, outShape, outType);
    }

    private string FreshName(string stem)
    {
        string name;
        do name = $"{stem}_{_counter++}"; while (_names.Contains(name));
        _names.Add(name);
        return name;
    }

    private void Claim(string name)
    {
        if (!_names.Add(name)) throw new InvalidOperationException($"graph value '{name}' defined twice");
    }

    private static ValueInfoProto ValueInfo(string name, DataType type, long[] shape)
    {
        var tensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = new TensorShapeProto() };
        // A negative size marks a dimension only known at run time (e.g. the number of patches the refiner picks).
        int dynamicCount = 0;
        foreach (var d in shape)
            tensorType.Shape.Dim.Add(d >= 0
                ? new TensorShapeProto.Types.Dimension { DimValue = d }
                : new TensorShapeProto.Types.Dimension { DimParam = $"{name}_dyn{dynamicCount++}" });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }

    private static AttributeProto Attr(string name, long value)
        => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Attr(string name, float value)
        => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    private static AttributeProto Attr(string name, string value)
        => new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    private static AttributeProto Attr(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }
}
