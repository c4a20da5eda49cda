using System.Runtime.InteropServices;
using Google.Protobuf;
using MatteKit.Onnx.Protobuf;
using DataType = MatteKit.Onnx.Protobuf.TensorProto.Types.DataType;

namespace MatteKit.Onnx;

// The one seam for int8 inference. Outside an int8 region (and in every float graph) nothing here emits a node, so
// float graphs stay byte for byte what they were. Inside a region the ops ONNX Runtime has integer kernels for are
// emitted as QDQ groups it fuses (DQ -> op -> Q becomes QLinearConv, QLinearAdd, QLinearMul,
// QLinearGlobalAveragePool, QLinearSigmoid), activations as uint8 with calibrated ranges, weights as symmetric
// per-channel int8. Every op's result is quantized right away except a conv's, which waits for its consumer: a ReLU
// that follows is then absorbed by the quantizer (its zero point is the range's minimum), and a conv read only by
// float ops stays float.
internal sealed partial class GraphBuilder
{
    private readonly Int8Quantization? _int8;
    private int _int8Depth;
    private int _site;
    // A float value's quantized-then-dequantized stand-in, so that a value read twice is quantized once.
    private readonly Dictionary<string, GraphValue> _requantized = new(StringComparer.Ordinal);
    // What each dequantized value came from: the uint8 tensor, its scale and its zero point.
    private readonly Dictionary<string, (GraphValue Bytes, float Scale, byte ZeroPoint)> _dequantized = new(StringComparer.Ordinal);

    public GraphBuilder(string name, Int8Quantization? int8) : this(name)
    {
        _int8 = int8;
    }

    /// <summary>Whether ops are being emitted for int8 (or measured for it, while calibrating).</summary>
    internal bool InInt8Region => _int8 is not null && _int8Depth > 0;

    /// <summary>Refuses ranges calibrated for another graph (other weights, another backbone): every range must have been used.</summary>
    internal void CheckAllSitesReached()
    {
        if (_int8?.Ranges is { } ranges && ranges.Count != _site)
            throw new InvalidOperationException($"int8: {ranges.Count} activation ranges for a graph with {_site} quantization sites (calibrated for another network?)");
    }

    /// <summary>Ops emitted until the returned scope is disposed run in int8 (nothing changes in a float graph).</summary>
    public IDisposable Int8Region()
    {
        _int8Depth++;
        return new RegionScope(this);
    }

    private sealed class RegionScope(GraphBuilder g) : IDisposable
    {
        private bool _disposed;
        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            g._int8Depth--;
        }
    }

    /// <summary>
    /// <paramref name="x"/> through uint8 with the range calibrated for this site: QuantizeLinear -> DequantizeLinear,
    /// or, while calibrating, unchanged and exposed as the next calibration output. Outside a region: unchanged.
    /// </summary>
    public GraphValue Quantized(GraphValue x)
    {
        if (!InInt8Region || x.ElementType != DataType.Float || _dequantized.ContainsKey(x.Name)) return x;
        if (_requantized.TryGetValue(x.Name, out var known)) return known;
        int site = _site++;
        GraphValue result;
        if (_int8!.Ranges is not { } ranges)
        {
            Output(x, Int8Quantization.CalibrationOutput + site);
            result = x;
        }
        else
        {
            if (site >= ranges.Count)
                throw new InvalidOperationException($"int8: the graph has more quantization sites than the {ranges.Count} calibrated");
            result = QuantizeDequantize(x, ranges.Min[site], ranges.Max[site]);
            if (_int8.ExposeSites) Output(result, Int8Quantization.CalibrationOutput + site);
        }
        _requantized.Add(x.Name, result);
        return result;
    }

    /// <summary>As <see cref="Quantized"/> with a range known without calibration (a sigmoid's 0..1).</summary>
    private GraphValue QuantizedFixed(GraphValue x, float min, float max)
    {
        // While calibrating the value is marked as quantized too, so that its consumers reach the same sites.
        var result = _int8!.Calibrating ? x : QuantizeDequantize(x, min, max);
        _requantized.Add(x.Name, result);
        return result;
    }

    private GraphValue QuantizeDequantize(GraphValue x, float min, float max)
    {
        var (scale, zeroPoint) = Uint8Parameters(min, max);
        var scaleValue = Constant(scale);
        var zeroValue = ByteTensor(new[] { zeroPoint });
        var bytes = Node("QuantizeLinear", new[] { x, scaleValue, zeroValue }, x.Shape, DataType.Uint8);
        var dq = Node("DequantizeLinear", new[] { bytes, scaleValue, zeroValue }, x.Shape, DataType.Float);
        _dequantized.Add(dq.Name, (bytes, scale, zeroPoint));
        return dq;
    }

    /// <summary>Scale and zero point of uint8 covering <c>[min, max]</c> and 0 (zero stays exact: padding, ReLU).</summary>
    internal static (float Scale, byte ZeroPoint) Uint8Parameters(float min, float max)
    {
        float lo = MathF.Min(min, 0f), hi = MathF.Max(max, 0f);
        float scale = MathF.Max(hi - lo, 1e-6f) / 255f;
        return (scale, (byte)Math.Clamp(MathF.Round(-lo / scale), 0f, 255f));
    }

    /// <summary>
    /// A conv in the int8 region: the input quantized, the kernel as symmetric per-output-channel int8, the bias as
    /// int32 at the input's scale times the kernel's, all dequantized into a float Conv that ONNX Runtime fuses with
    /// the quantizer its consumer adds into one QLinearConv. While calibrating: the float conv.
    /// </summary>
    public GraphValue QuantizedConv(GraphValue x, ReadOnlySpan<float> weight, int[] shape, float[]? bias,
        (int H, int W) stride, (int H, int W) padding, int dilation, int groups, long countedInputChannels)
    {
        var input = Quantized(x);
        var kernelShape = shape.Select(d => (long)d).ToArray();
        if (_int8!.Calibrating)
            return Conv(input, Constant(weight, kernelShape), bias is null ? null : Constant(bias, bias.Length), stride, padding, dilation, groups, countedInputChannels);

        var (_, inputScale, _) = _dequantized[input.Name];
        int outC = shape[0], perOut = weight.Length / outC;
        var weightBytes = new sbyte[weight.Length];
        var weightScales = new float[outC];
        for (int o = 0; o < outC; o++)
        {
            var row = weight.Slice(o * perOut, perOut);
            float largest = 0f;
            foreach (var w in row) largest = MathF.Max(largest, MathF.Abs(w));
            float scale = largest > 0f ? largest / 127f : 1f;
            weightScales[o] = scale;
            for (int i = 0; i < perOut; i++) weightBytes[o * perOut + i] = (sbyte)Math.Clamp(MathF.Round(row[i] / scale), -127f, 127f);
        }
        var kernel = DequantizePerChannel(RawInitializer(DataType.Int8, MemoryMarshal.AsBytes(weightBytes.AsSpan()), kernelShape),
            weightScales, RawInitializer(DataType.Int8, new byte[outC], outC));
        GraphValue? biasValue = null;
        if (bias is not null)
        {
            var biasScales = new float[outC];
            var biasInts = new int[outC];
            for (int o = 0; o < outC; o++)
            {
                biasScales[o] = inputScale * weightScales[o];
                biasInts[o] = (int)Math.Clamp(Math.Round((double)bias[o] / biasScales[o]), int.MinValue, int.MaxValue);
            }
            biasValue = DequantizePerChannel(RawInitializer(DataType.Int32, MemoryMarshal.AsBytes(biasInts.AsSpan()), outC),
                biasScales, RawInitializer(DataType.Int32, new byte[outC * 4], outC));
        }
        return Conv(input, kernel, biasValue, stride, padding, dilation, groups, countedInputChannels);
    }

    private GraphValue DequantizePerChannel(GraphValue values, float[] scales, GraphValue zeroPoints)
        => Node("DequantizeLinear", new[] { values, Constant(scales, scales.Length), zeroPoints }, values.Shape, DataType.Float, Attr("axis", 0L));

    private GraphValue RawInitializer(DataType type, ReadOnlySpan<byte> raw, params long[] shape)
    {
        var t = new TensorProto { Name = FreshName("const"), DataType = (int)type, RawData = ByteString.CopyFrom(raw) };
        t.Dims.AddRange(shape);
        _graph.Initializer.Add(t);
        return new GraphValue(t.Name, shape, type);
    }

    /// <summary>
    /// <c>x * hardsigmoid(x)</c> in integers: the hard sigmoid is <c>x / 6 + 1/2</c> saturated to 0..1, which is the
    /// quantized x read with a sixth of its scale, plus one half, quantized to 0..1 (the quantizer clamps), one
    /// QLinearAdd; the product one QLinearMul. ONNX Runtime has no integer HardSwish, and a float one between int8
    /// convs costs a dequantize, the op and a quantize, and layout changes around them.
    /// </summary>
    private GraphValue HardSwishInt8(GraphValue x)
    {
        var input = Quantized(x);
        return Quantized(_int8!.Calibrating ? Unary("HardSwish", input) : Binary("Mul", input, HardSigmoidInt8(input)));
    }

    /// <summary><c>clip(x / 6 + 1/2, 0, 1)</c> of an already quantized x (see <see cref="HardSwishInt8"/>).</summary>
    private GraphValue HardSigmoidInt8(GraphValue input)
    {
        if (_int8!.Calibrating)
            return QuantizedFixed(Node("HardSigmoid", new[] { input }, input.Shape, input.ElementType, Attr("alpha", 1f / 6f), Attr("beta", 0.5f)), 0f, 1f);
        var (bytes, scale, zeroPoint) = _dequantized[input.Name];
        var sixth = Node("DequantizeLinear", new[] { bytes, Constant(scale / 6f), ByteTensor(new[] { zeroPoint }) }, input.Shape, DataType.Float);
        // One half exactly: 255 steps of 1/510.
        var half = Node("DequantizeLinear", new[] { ByteTensor(new byte[] { 255 }), Constant(0.5f / 255f), ByteTensor(new byte[] { 0 }) }, Array.Empty<long>(), DataType.Float);
        return QuantizedFixed(Binary("Add", sixth, half), 0f, 1f);
    }

    /// <summary>An element-wise op of two values in the int8 region: both inputs and the result quantized.</summary>
    private GraphValue BinaryInt8(string op, GraphValue a, GraphValue b)
        => Quantized(Binary(op, Quantized(a), Quantized(b)));
}
