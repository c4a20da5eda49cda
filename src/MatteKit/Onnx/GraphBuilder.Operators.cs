using MatteKit.Onnx.Protobuf;
using DataType = MatteKit.Onnx.Protobuf.TensorProto.Types.DataType;

namespace MatteKit.Onnx;

// The operators RVM needs, each with its output shape worked out as ONNX defines it.
internal sealed partial class GraphBuilder
{
    /// <summary>2-D convolution, NCHW; <paramref name="weight"/> is OIHW (I = input channels / group).</summary>
    public GraphValue Conv(GraphValue x, GraphValue weight, GraphValue? bias,
        int stride = 1, int padding = 0, int dilation = 1, int groups = 1)
        => Conv(x, weight, bias, (stride, stride), (padding, padding), dilation, groups);

    /// <remarks><paramref name="countedInputChannels"/>: input channels per group that do real work, for the multiply-add
    /// count (kernels padded with zero channels would otherwise inflate it).</remarks>
    public GraphValue Conv(GraphValue x, GraphValue weight, GraphValue? bias,
        (int H, int W) stride, (int H, int W) padding, int dilation = 1, int groups = 1, long? countedInputChannels = null)
        => Conv(x, weight, bias, stride, (padding.H, padding.W, padding.H, padding.W), dilation, groups, countedInputChannels);

    /// <summary>As above with each side's padding given (TensorFlow's SAME pads the far side more when the total is odd).</summary>
    public GraphValue Conv(GraphValue x, GraphValue weight, GraphValue? bias,
        (int H, int W) stride, (int Top, int Left, int Bottom, int Right) pads, int dilation = 1, int groups = 1, long? countedInputChannels = null)
    {
        long outC = weight.Shape[0], kh = weight.Shape[2], kw = weight.Shape[3];
        if (x.Dim(1) != weight.Shape[1] * groups)
            throw new InvalidOperationException($"Conv: input {x} has {x.Dim(1)} channels, kernel {weight} expects {weight.Shape[1] * groups}");
        long oh = (x.Dim(2) + pads.Top + pads.Bottom - dilation * (kh - 1) - 1) / stride.H + 1;
        long ow = (x.Dim(3) + pads.Left + pads.Right - dilation * (kw - 1) - 1) / stride.W + 1;
        // A batch only known at run time (refined patches) is left out of the count.
        if (x.Dim(0) > 0) ConvMultiplyAdds += x.Dim(0) * outC * oh * ow * (countedInputChannels ?? weight.Shape[1]) * kh * kw;
        var inputs = bias is null ? new[] { x, weight } : new[] { x, weight, bias };
        return Node("Conv", inputs, new[] { x.Dim(0), outC, oh, ow }, x.ElementType,
            Attr("kernel_shape", kh, kw),
            Attr("strides", stride.H, stride.W),
            Attr("pads", pads.Top, pads.Left, pads.Bottom, pads.Right),
            Attr("dilations", dilation, dilation),
            Attr("group", (long)groups));
    }

    public GraphValue Relu(GraphValue x) => InInt8Region ? Quantized(Unary("Relu", x)) : Unary("Relu", x);
    public GraphValue Sigmoid(GraphValue x) => InInt8Region ? QuantizedFixed(Unary("Sigmoid", Quantized(x)), 0f, 1f) : Unary("Sigmoid", x);
    public GraphValue Tanh(GraphValue x) => Unary("Tanh", x);
    public GraphValue HardSwish(GraphValue x) => InInt8Region ? HardSwishInt8(x) : Unary("HardSwish", x);
    public GraphValue Identity(GraphValue x, string? name = null)
    {
        if (name is null) return Unary("Identity", x);
        Claim(name);
        var node = new NodeProto { OpType = "Identity", Name = name };
        node.Input.Add(x.Name);
        node.Output.Add(name);
        _graph.Node.Add(node);
        return x with { Name = name };
    }

    /// <summary><c>relu6(x + 3) / 6</c>, as ONNX HardSigmoid with alpha 1/6, beta 1/2.</summary>
    public GraphValue HardSigmoid(GraphValue x)
        => InInt8Region ? HardSigmoidInt8(Quantized(x)) : Node("HardSigmoid", new[] { x }, x.Shape, x.ElementType, Attr("alpha", 1f / 6f), Attr("beta", 0.5f));

    public GraphValue Add(GraphValue a, GraphValue b) => InInt8Region ? BinaryInt8("Add", a, b) : Binary("Add", a, b);
    public GraphValue Sub(GraphValue a, GraphValue b) => Binary("Sub", a, b);
    public GraphValue Mul(GraphValue a, GraphValue b) => InInt8Region ? BinaryInt8("Mul", a, b) : Binary("Mul", a, b);
    public GraphValue Div(GraphValue a, GraphValue b) => Binary("Div", a, b);

    public GraphValue Clip(GraphValue x, float min, float max)
        => Node("Clip", new[] { x, Constant(min), Constant(max) }, x.Shape, x.ElementType);

    /// <summary>
    /// <c>clip(x, min, max)</c> of an image that an element-wise op made (a residual sum), as a 1x1 depthwise
    /// convolution by one followed by the clip. ONNX Runtime's CPU provider keeps convolutions, their sums and their
    /// fused activations in its blocked NCHWc layout, but not a Clip on its own: each standalone Clip after an Add cost
    /// a reorder out of the layout and one back in (BlazePose: 3 of its 12 ms a person, bench subject --profile). A Clip
    /// after a convolution fuses into it, so the identity convolution (exact: times one, no bias) keeps the block in layout.
    /// </summary>
    public GraphValue ClipInConvLayout(GraphValue x, float min, float max)
    {
        if (x.Shape.Length != 4 || x.Dim(1) <= 0 || x.ElementType != DataType.Float) return Clip(x, min, max);
        long channels = x.Dim(1);
        var ones = new float[channels];
        Array.Fill(ones, 1f);
        return Clip(Conv(x, Constant(ones, channels, 1, 1, 1), null, (1, 1), (0, 0), groups: (int)channels, countedInputChannels: 0), min, max);
    }

    public GraphValue Cast(GraphValue x, DataType to)
        => Node("Cast", new[] { x }, x.Shape, to, Attr("to", (long)to));

    /// <summary>
    /// Matrix product of bytes, as floats: <c>a x b</c> computed exactly in integers (ONNX Runtime's
    /// <c>com.microsoft.MatMulIntegerToFloat</c>, scales 1, zero points 0). Reading bytes instead of a float copy of
    /// them saves a full pass where <paramref name="b"/> is an image.
    /// </summary>
    public GraphValue MatMulBytesToFloat(GraphValue a, GraphValue b)
    {
        if (a.ElementType != DataType.Uint8 || b.ElementType != DataType.Uint8 || a.Rank < 2 || b.Rank < 2 || a.Dim(-1) != b.Dim(-2))
            throw new InvalidOperationException($"MatMulIntegerToFloat: {a} and {b} do not multiply as bytes");
        var batch = BroadcastShape(a.Shape[..^2], b.Shape[..^2], "MatMulIntegerToFloat");
        var one = Constant(new[] { 1f }, 1);
        var product = Node("MatMulIntegerToFloat", new[] { a, b, one, one }, batch.Append(a.Dim(-2)).Append(b.Dim(-1)).ToArray(), DataType.Float);
        _graph.Node[^1].Domain = MicrosoftDomain;
        _usesMicrosoftDomain = true;
        return product;
    }

    /// <summary>Floats to bytes <c>saturate(round_half_even(x / step))</c> (QuantizeLinear with zero point 0).</summary>
    public GraphValue FloatToBytes(GraphValue x, float step)
        => Node("QuantizeLinear", new[] { x, Constant(step), ByteTensor(new byte[] { 0 }) }, x.Shape, DataType.Uint8);

    public GraphValue Transpose(GraphValue x, params long[] perm)
        => Node("Transpose", new[] { x }, perm.Select(p => x.Shape[p]).ToArray(), x.ElementType, Attr("perm", perm));

    public GraphValue Concat(int axis, params GraphValue[] values)
    {
        var shape = (long[])values[0].Shape.Clone();
        shape[axis] = values.Sum(v => v.Dim(axis));
        foreach (var v in values)
            for (int d = 0; d < shape.Length; d++)
                if (d != axis && v.Shape[d] != shape[d])
                    throw new InvalidOperationException($"Concat: {v} does not match {values[0]} outside axis {axis}");
        return Node("Concat", values, shape, values[0].ElementType, Attr("axis", (long)axis));
    }

    /// <summary>Splits along <paramref name="axis"/> into parts of the given sizes.</summary>
    public GraphValue[] Split(GraphValue x, int axis, params long[] sizes)
    {
        if (sizes.Sum() != x.Dim(axis)) throw new InvalidOperationException($"Split: sizes do not add up to {x}.{axis}");
        var outputs = new GraphValue[sizes.Length];
        var node = new NodeProto { OpType = "Split", Name = FreshName("Split") };
        node.Input.Add(x.Name);
        node.Input.Add(Int64Constant(sizes).Name);
        node.Attribute.Add(Attr("axis", (long)axis));
        for (int i = 0; i < sizes.Length; i++)
        {
            var shape = (long[])x.Shape.Clone();
            shape[axis] = sizes[i];
            outputs[i] = new GraphValue(FreshName("split"), shape, x.ElementType);
            node.Output.Add(outputs[i].Name);
        }
        _graph.Node.Add(node);
        return outputs;
    }

    /// <summary>Zeros of the given shape, made at run time (no initializer of that size in the model).</summary>
    public GraphValue Zeros(params long[] shape) => Expand(Constant(0f), shape);

    /// <summary>Keeps the top-left <paramref name="height"/> x <paramref name="width"/> of an NCHW value.</summary>
    public GraphValue CropTopLeft(GraphValue x, long height, long width)
    {
        if (x.Dim(2) == height && x.Dim(3) == width) return x;
        var shape = new[] { x.Dim(0), x.Dim(1), height, width };
        return Node("Slice", new[] { x, Int64Constant(0, 0), Int64Constant(height, width), Int64Constant(2, 3) }, shape, x.ElementType);
    }

    /// <summary>Mean over the (2r+1)^2 window around each pixel, zeros outside, every window divided by its full size.</summary>
    public GraphValue BoxMean(GraphValue x, int radius)
    {
        int k = 2 * radius + 1;
        return Node("AveragePool", new[] { x }, x.Shape, x.ElementType,
            Attr("kernel_shape", k, k), Attr("strides", 1, 1), Attr("pads", radius, radius, radius, radius),
            Attr("count_include_pad", 1L));
    }

    /// <summary>Average pooling without padding; with <paramref name="ceilMode"/>, partial windows at the far edges average their valid pixels.</summary>
    public GraphValue AveragePool(GraphValue x, int kernel, int stride, bool ceilMode)
    {
        long Out(long n) => ceilMode ? (n - kernel + stride - 1) / stride + 1 : (n - kernel) / stride + 1;
        long oh = Math.Max(1, Out(x.Dim(2))), ow = Math.Max(1, Out(x.Dim(3)));
        return Node("AveragePool", new[] { x }, new[] { x.Dim(0), x.Dim(1), oh, ow }, x.ElementType,
            Attr("kernel_shape", kernel, kernel), Attr("strides", stride, stride),
            Attr("ceil_mode", ceilMode ? 1L : 0L), Attr("count_include_pad", 0L));
    }

    /// <summary>Max pooling with symmetric padding that never wins (PyTorch's <c>MaxPool2d(padding=p)</c>), floor mode.</summary>
    public GraphValue MaxPool(GraphValue x, int kernel, int stride, int padding)
    {
        long Out(long n) => (n + 2 * padding - kernel) / stride + 1;
        return Node("MaxPool", new[] { x }, new[] { x.Dim(0), x.Dim(1), Out(x.Dim(2)), Out(x.Dim(3)) }, x.ElementType,
            Attr("kernel_shape", kernel, kernel), Attr("strides", stride, stride), Attr("pads", padding, padding, padding, padding));
    }

    public GraphValue GlobalAveragePool(GraphValue x)
    {
        if (InInt8Region) return Quantized(Node("GlobalAveragePool", new[] { Quantized(x) }, new[] { x.Dim(0), x.Dim(1), 1L, 1L }, x.ElementType));
        return Node("GlobalAveragePool", new[] { x }, new[] { x.Dim(0), x.Dim(1), 1L, 1L }, x.ElementType);
    }

    /// <summary>Matrix product with numpy's rules: the last two axes multiply, leading axes broadcast.</summary>
    public GraphValue MatMul(GraphValue a, GraphValue b)
    {
        if (a.Rank < 2 || b.Rank < 2 || a.Dim(-1) != b.Dim(-2))
            throw new InvalidOperationException($"MatMul: {a} and {b} do not multiply");
        var batch = BroadcastShape(a.Shape[..^2], b.Shape[..^2], "MatMul");
        return Node("MatMul", new[] { a, b }, batch.Append(a.Dim(-2)).Append(b.Dim(-1)).ToArray(), a.ElementType);
    }

    /// <summary>
    /// Bilinear resize of H and W by a scale factor to the given size (<c>floor(n * scale)</c>, PyTorch's rule),
    /// sampling at <c>(dst + 0.5) / scale - 0.5</c> clamped to the image (<c>align_corners=False</c> with the scale
    /// as given, not recomputed from the sizes).
    /// </summary>
    public GraphValue ResizeBilinearByScale(GraphValue x, double scale, long height, long width)
    {
        float sh = ScaleGivingSize(scale, x.Dim(2), height), sw = ScaleGivingSize(scale, x.Dim(3), width);
        var scales = Constant(new[] { 1f, 1f, sh, sw }, 4);
        return Node("Resize", new[] { x.Name, "", scales.Name }, new[] { x.Dim(0), x.Dim(1), height, width }, x.ElementType,
            Attr("mode", "linear"), Attr("coordinate_transformation_mode", "half_pixel"));
    }

    /// <summary>
    /// The float nearest <paramref name="scale"/> for which ONNX Runtime's size rule (<c>(long)(scale * n)</c>, in
    /// float or in double) gives <paramref name="target"/>. PyTorch floors in double; a float scale can land one
    /// pixel short (e.g. 10 x 0.7f), and moving it by a few ulps changes sampling by nothing measurable.
    /// </summary>
    internal static float ScaleGivingSize(double scale, long n, long target)
    {
        float s = (float)scale;
        for (int step = 0; step < 64; step++)
        {
            long inFloat = (long)(s * (float)n), inDouble = (long)((double)s * n);
            if (inFloat == target && inDouble == target) return s;
            s = inFloat < target || inDouble < target ? MathF.BitIncrement(s) : MathF.BitDecrement(s);
        }
        throw new InvalidOperationException($"no float scale near {scale} resizes {n} to {target}");
    }

    /// <summary>Bilinear resize to an exact size, half-pixel centres, scale = out / in (PyTorch's <c>interpolate(size=...)</c>).</summary>
    public GraphValue ResizeBilinearToSize(GraphValue x, long height, long width)
        => ResizeBilinearToSize(x, height, width, "half_pixel");

    /// <summary>
    /// Bilinear resize to an exact size with the sampling rule named as ONNX names it: <c>half_pixel</c>,
    /// <c>align_corners</c> or <c>asymmetric</c> (TensorFlow's resize without either flag).
    /// </summary>
    public GraphValue ResizeBilinearToSize(GraphValue x, long height, long width, string coordinateMode)
    {
        var sizes = Int64Constant(x.Dim(0), x.Dim(1), height, width);
        return Node("Resize", new[] { x.Name, "", "", sizes.Name }, new[] { x.Dim(0), x.Dim(1), height, width }, x.ElementType,
            Attr("mode", "linear"), Attr("coordinate_transformation_mode", coordinateMode));
    }

    /// <summary>
    /// Transposed 2-D convolution, NCHW; <paramref name="weight"/> is [I, O, kH, kW]. The output size is
    /// <c>(n - 1) * stride + k - pads</c>, with the pads taken from each side.
    /// </summary>
    public GraphValue ConvTranspose(GraphValue x, GraphValue weight, GraphValue? bias, (int H, int W) stride,
        (int Top, int Left, int Bottom, int Right) pads)
    {
        if (x.Dim(1) != weight.Shape[0])
            throw new InvalidOperationException($"ConvTranspose: input {x} has {x.Dim(1)} channels, kernel {weight} expects {weight.Shape[0]}");
        long outC = weight.Shape[1], kh = weight.Shape[2], kw = weight.Shape[3];
        long oh = (x.Dim(2) - 1) * stride.H + kh - pads.Top - pads.Bottom;
        long ow = (x.Dim(3) - 1) * stride.W + kw - pads.Left - pads.Right;
        ConvMultiplyAdds += x.Dim(0) * x.Dim(1) * x.Dim(2) * x.Dim(3) * outC * kh * kw;
        var inputs = bias is null ? new[] { x, weight } : new[] { x, weight, bias };
        return Node("ConvTranspose", inputs, new[] { x.Dim(0), outC, oh, ow }, x.ElementType,
            Attr("kernel_shape", kh, kw), Attr("strides", stride.H, stride.W), Attr("pads", pads.Top, pads.Left, pads.Bottom, pads.Right));
    }

    /// <summary>Broadcasts <paramref name="x"/> to <paramref name="shape"/> (numpy rules).</summary>
    public GraphValue Expand(GraphValue x, params long[] shape)
        => Node("Expand", new[] { x, Int64Constant(shape) }, BroadcastShape(x.Shape, shape, "Expand"), x.ElementType);

    /// <summary>Pads H and W of an NCHW value: zeros (<paramref name="edge"/> false) or copies of the border pixels.</summary>
    public GraphValue Pad(GraphValue x, int top, int left, int bottom, int right, bool edge = false)
    {
        if (top == 0 && left == 0 && bottom == 0 && right == 0) return x;
        var pads = Int64Constant(0, 0, top, left, 0, 0, bottom, right);
        var shape = new[] { x.Dim(0), x.Dim(1), x.Dim(2) + top + bottom, x.Dim(3) + left + right };
        return Node("Pad", new[] { x, pads }, shape, x.ElementType, Attr("mode", edge ? "edge" : "constant"));
    }

    /// <summary>Reshape to a fully known shape, or with one -1 when exactly one dimension is only known at run time.</summary>
    public GraphValue Reshape(GraphValue x, params long[] shape)
    {
        long known = shape.Where(d => d >= 0).Aggregate(1L, (a, b) => a * b);
        bool dynamicInput = x.Shape.Any(d => d < 0);
        if (!dynamicInput && shape.All(d => d >= 0) && known != x.Shape.Aggregate(1L, (a, b) => a * b))
            throw new InvalidOperationException($"Reshape: {x} cannot become [{string.Join(",", shape)}]");
        if (shape.Count(d => d < 0) > 1) throw new InvalidOperationException("Reshape: at most one -1");
        return Node("Reshape", new[] { x, Int64Constant(shape) }, shape, x.ElementType);
    }

    /// <summary>Element-wise <c>a &gt; b</c> as a bool tensor.</summary>
    public GraphValue Greater(GraphValue a, GraphValue b)
        => Node("Greater", new[] { a, b }, BroadcastShape(a.Shape, b.Shape, "Greater"), DataType.Bool);

    /// <summary>Indices (int64) of the <paramref name="k"/> largest values along the last axis, in no particular order.</summary>
    public GraphValue TopKIndices(GraphValue x, long k)
    {
        if (k > x.Dim(-1)) throw new InvalidOperationException($"TopK: k {k} exceeds {x}");
        var shape = (long[])x.Shape.Clone();
        shape[^1] = k;
        var node = new NodeProto { OpType = "TopK", Name = FreshName("TopK") };
        node.Input.Add(x.Name);
        node.Input.Add(Int64Constant(k).Name);
        var values = FreshName("topk_values");
        var indices = FreshName("topk_indices");
        node.Output.Add(values);
        node.Output.Add(indices);
        node.Attribute.Add(Attr("axis", -1L));
        node.Attribute.Add(Attr("largest", 1L));
        node.Attribute.Add(Attr("sorted", 0L));
        _graph.Node.Add(node);
        return new GraphValue(indices, shape, DataType.Int64);
    }

    /// <summary>Copy of <paramref name="data"/> with <paramref name="updates"/> written at <paramref name="indices"/> along <paramref name="axis"/>.</summary>
    public GraphValue ScatterElements(GraphValue data, GraphValue indices, GraphValue updates, int axis)
        => Node("ScatterElements", new[] { data, indices, updates }, data.Shape, data.ElementType, Attr("axis", (long)axis));

    /// <summary>
    /// Copy of <paramref name="data"/> with slices replaced: <paramref name="indices"/> [n, k] addresses the first k
    /// axes, <paramref name="updates"/> is [n, rest of data's shape].
    /// </summary>
    public GraphValue ScatterND(GraphValue data, GraphValue indices, GraphValue updates)
    {
        long k = indices.Dim(-1);
        if (updates.Rank != indices.Rank - 1 + data.Rank - k)
            throw new InvalidOperationException($"ScatterND: updates {updates} do not fit data {data} at indices {indices}");
        return Node("ScatterND", new[] { data, indices, updates }, data.Shape, data.ElementType);
    }

    /// <summary>Coordinates of the non-zero elements, [rank, count] int64 in row-major order; count is known at run time only.</summary>
    public GraphValue NonZero(GraphValue x)
        => Node("NonZero", new[] { x }, new[] { (long)x.Rank, -1L }, DataType.Int64);

    /// <summary>Gathers along <paramref name="axis"/>: the axis is replaced by the shape of <paramref name="indices"/>.</summary>
    public GraphValue Gather(GraphValue data, GraphValue indices, int axis)
    {
        var shape = data.Shape.Take(axis).Concat(indices.Shape).Concat(data.Shape.Skip(axis + 1)).ToArray();
        return Node("Gather", new[] { data, indices }, shape, data.ElementType, Attr("axis", (long)axis));
    }

    /// <summary>Nearest-neighbour upsampling of H and W by a whole factor (each value repeated factor x factor times).</summary>
    public GraphValue UpsampleNearest(GraphValue x, int factor)
    {
        var scales = Constant(new[] { 1f, 1f, factor, factor }, 4);
        return Node("Resize", new[] { x.Name, "", scales.Name }, new[] { x.Dim(0), x.Dim(1), x.Dim(2) * factor, x.Dim(3) * factor }, x.ElementType,
            Attr("mode", "nearest"), Attr("coordinate_transformation_mode", "asymmetric"), Attr("nearest_mode", "floor"));
    }

    private GraphValue Unary(string op, GraphValue x) => Node(op, new[] { x }, x.Shape, x.ElementType);

    private GraphValue Binary(string op, GraphValue a, GraphValue b)
        => Node(op, new[] { a, b }, BroadcastShape(a.Shape, b.Shape, op), a.ElementType);

    private static long[] BroadcastShape(long[] a, long[] b, string op)
    {
        int rank = Math.Max(a.Length, b.Length);
        var shape = new long[rank];
        for (int i = 0; i < rank; i++)
        {
            long da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            long db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (da < 0 || db < 0)
            {
                // Sizes known at run time only: the other side must be 1 or the same unknown.
                shape[i] = da == 1 ? db : db == 1 ? da : Math.Min(da, db);
                continue;
            }
            if (da != db && da != 1 && db != 1)
                throw new InvalidOperationException($"{op}: shapes [{string.Join(",", a)}] and [{string.Join(",", b)}] do not broadcast");
            shape[i] = Math.Max(da, db);
        }
        return shape;
    }
}
