using System.Buffers.Binary;
using MatteKit.Onnx;
using MatteKit.Weights;

namespace MatteKit.Layers;

/// <summary>
/// Writes a TFLite subgraph into MatteKit's ONNX graph, operator by operator, in NCHW: TFLite's NHWC tensors of
/// rank 4 become NCHW values and its kernels are transposed once here (OHWI to OIHW, 1HWC to C1HW), so ONNX
/// Runtime runs the model in its own layout. Every computed shape is checked against the shape the file stores.
/// The operators are those of MediaPipe's selfie segmentation and BlazePose GHUM landmark models; any other is
/// named in a <see cref="WeightsFormatException"/>.
/// </summary>
internal sealed class TfliteTranslator
{
    // Option-table field numbers (schema.fbs). Conv2DOptions: padding, stride_w, stride_h, activation, dilation_w_factor, dilation_h_factor.
    private const int PaddingField = 0, StrideWField = 1, StrideHField = 2, ConvActivationField = 3, ConvDilationWField = 4;
    // DepthwiseConv2DOptions: padding, stride_w, stride_h, depth_multiplier, activation, dilation_w_factor, dilation_h_factor.
    private const int DepthwiseActivationField = 4, DepthwiseDilationWField = 5;
    // Pool2DOptions: padding, stride_w, stride_h, filter_width, filter_height, activation.
    private const int FilterWField = 3, FilterHField = 4, PoolActivationField = 5;
    // AddOptions / MulOptions: activation. ResizeBilinearOptions: 2 align_corners, 3 half_pixel_centers. ReducerOptions: keep_dims.
    private const int ElementwiseActivationField = 0, AlignCornersField = 2, HalfPixelField = 3, KeepDimsField = 0;
    private const byte SamePadding = 0, ValidPadding = 1;
    /// <summary>Larger strides than any image network uses; also keeps every size computed from them small.</summary>
    private const int MaxStride = 64;
    /// <summary>The custom transposed convolution of MediaPipe's segmentation models.</summary>
    public const string TransposeConvBias = "Convolution2DTransposeBias";

    private readonly GraphBuilder _g;
    private readonly TfliteModel _model;
    private readonly Dictionary<int, GraphValue> _values = new();
    private readonly Dictionary<int, float[]> _constants = new();

    private TfliteTranslator(GraphBuilder g, TfliteModel model)
    {
        _g = g;
        _model = model;
    }

    /// <summary>
    /// The model's single output (NCHW) computed from <paramref name="input"/>, the NCHW form of its single input.
    /// </summary>
    /// <exception cref="WeightsFormatException">
    /// Anything in the file that does not make a network: an operator with too few operands or of the wrong rank,
    /// a constant of the wrong size, a shape the translation does not reproduce, damaged option tables. The message
    /// names the file, the operator and the tensor.
    /// </exception>
    public static GraphValue Translate(GraphBuilder g, TfliteModel model, GraphValue input)
    {
        if (model.Inputs.Count != 1 || model.Outputs.Count != 1)
            throw new WeightsFormatException(model.Source, $"expected one input and one output, the model has {model.Inputs.Count} and {model.Outputs.Count}");
        return Translate(g, model, input, model.Tensors[model.Outputs[0]].Name)[0];
    }

    /// <summary>
    /// The model outputs named <paramref name="outputs"/> (tensor names as the file stores them, NCHW for rank 4),
    /// in that order, computed from <paramref name="input"/>, the NCHW form of the model's single input. Only the
    /// operators these outputs depend on are translated, so heads the caller does not read cost nothing.
    /// </summary>
    /// <exception cref="WeightsFormatException">
    /// A name that is not one of the model's outputs, or anything in the file that does not make a network (as for
    /// <see cref="Translate(GraphBuilder, TfliteModel, GraphValue)"/>).
    /// </exception>
    public static GraphValue[] Translate(GraphBuilder g, TfliteModel model, GraphValue input, params string[] outputs)
    {
        if (model.Inputs.Count != 1)
            throw new WeightsFormatException(model.Source, $"expected one input, the model has {model.Inputs.Count}");
        var wanted = outputs.Select(name => OutputTensor(model, name)).ToArray();
        var translator = new TfliteTranslator(g, model);
        var inputTensor = model.Tensors[model.Inputs[0]];
        translator.Expect(inputTensor, input);
        translator._values[inputTensor.Index] = input;
        var needed = NeededOperators(model, wanted);
        foreach (var op in model.Operators)
        {
            if (needed[op.Index]) translator.Emit(op);
        }
        return wanted.Select(translator.Value).ToArray();
    }

    private static int OutputTensor(TfliteModel model, string name)
    {
        foreach (int o in model.Outputs)
        {
            if (model.Tensors[o].Name == name) return o;
        }
        string known = string.Join(", ", model.Outputs.Select(o => $"'{model.Tensors[o].Name}'"));
        throw new WeightsFormatException(model.Source, $"the model has no output '{name}' (its outputs: {known})");
    }

    /// <summary>Which operators (by index) the tensors <paramref name="wanted"/> are computed through.</summary>
    private static bool[] NeededOperators(TfliteModel model, IEnumerable<int> wanted)
    {
        var writer = new Dictionary<int, TfliteOperator>();
        foreach (var op in model.Operators)
        {
            foreach (int t in op.Outputs)
            {
                if (t >= 0) writer[t] = op;
            }
        }
        var needed = new bool[model.Operators.Count];
        var pending = new Stack<int>(wanted);
        while (pending.TryPop(out int tensor))
        {
            if (!writer.TryGetValue(tensor, out var op) || needed[op.Index]) continue;
            needed[op.Index] = true;
            foreach (int t in op.Inputs)
            {
                if (t >= 0) pending.Push(t);
            }
        }
        return needed;
    }

    /// <summary>The NHWC shape a model input stores, as NCHW.</summary>
    public static long[] NchwShape(TfliteTensor tensor) => tensor.Shape.Length == 4
        ? new long[] { tensor.Shape[0], tensor.Shape[3], tensor.Shape[1], tensor.Shape[2] }
        : tensor.Shape.Select(d => (long)d).ToArray();

    private void Emit(TfliteOperator op)
    {
        if (op.Outputs.Length != 1) throw Unsupported(op, $"writes {op.Outputs.Length} tensors; the operators translated write one");
        try
        {
            if (op.Code == TfliteOp.Dequantize)
            {
                Dequantize(op);
                return;
            }
            GraphValue result = op.Code switch
            {
                TfliteOp.Conv2D => Conv(op, depthwise: false),
                TfliteOp.DepthwiseConv2D => Conv(op, depthwise: true),
                TfliteOp.Add => Activate(_g.Add(Operand(op, 0), Operand(op, 1)), op, ElementwiseActivationField, elementwise: true),
                TfliteOp.Mul => Activate(_g.Mul(Operand(op, 0), Operand(op, 1)), op, ElementwiseActivationField, elementwise: true),
                TfliteOp.Relu => _g.Relu(Operand(op, 0)),
                TfliteOp.Relu6 => _g.Clip(Operand(op, 0), 0f, 6f),
                TfliteOp.HardSwish => _g.HardSwish(Operand(op, 0)),
                TfliteOp.Logistic => _g.Sigmoid(Operand(op, 0)),
                TfliteOp.AveragePool2D => AveragePool(op),
                TfliteOp.Mean => Mean(op),
                TfliteOp.ResizeBilinear => ResizeBilinear(op),
                TfliteOp.Custom when op.CustomCode == TransposeConvBias => TransposeConvolution(op),
                TfliteOp.Pad => Pad(op),
                TfliteOp.MaxPool2D => MaxPool(op),
                TfliteOp.Reshape => Reshape(op),
                _ => throw Unsupported(op, "is not one MatteKit translates"),
            };
            var output = _model.Tensors[op.Outputs[0]];
            Expect(output, result);
            _values[output.Index] = result;
        }
        catch (InvalidOperationException e)
        {
            // The graph builder's own shape checks: channels that do not match a kernel, operands that do not broadcast.
            throw Unsupported(op, $"does not fit its operands: {e.Message}");
        }
        catch (FormatException e)
        {
            // An options table is read field by field, here: a damaged offset in it is found only now.
            throw new WeightsFormatException(_model.Source, $"damaged TFLite file: {op.Describe()}: {e.Message}", e);
        }
    }

    /// <summary>float16 weights widened to float32: a constant here, so ONNX Runtime sees plain float weights.</summary>
    private void Dequantize(TfliteOperator op)
    {
        var source = _model.Tensors[Input(op, 0)];
        var output = _model.Tensors[op.Outputs[0]];
        if (!source.IsConstant) throw Unsupported(op, $"dequantizes {source}, which is not a constant");
        if (!source.Shape.SequenceEqual(output.Shape)) throw Unsupported(op, $"dequantizes {source} into another shape");
        _constants[output.Index] = _model.Floats(source);
    }

    private GraphValue Conv(TfliteOperator op, bool depthwise)
    {
        var x = Image(op, 0);
        var kernel = Kernel(op, 1);
        var options = Options(op);
        var stride = Strides(op, options);
        RequireNoDilation(op, options, depthwise ? DepthwiseDilationWField : ConvDilationWField);
        int kh = kernel.Shape[1], kw = kernel.Shape[2];
        var pads = Pads(op, options.Byte(PaddingField), x, stride, kh, kw);
        float[] k = ConstantInput(op, 1, kernel.ElementCount, "kernel");
        GraphValue weight;
        int groups = 1;
        if (depthwise)
        {
            // [1, kh, kw, C*m] -> [C*m, 1, kh, kw]; output channel c*m + j reads input channel c, as ONNX's groups do.
            int outC = kernel.Shape[3];
            long inC = x.Dim(1);
            if (kernel.Shape[0] != 1 || inC < 1 || outC % inC != 0)
                throw Unsupported(op, $"has depthwise kernel {kernel} for {inC} input channels; expected [1, kh, kw, a multiple of {inC}]");
            weight = _g.Constant(ArrayTranspose.Apply(k, new[] { kh, kw, outC }, new[] { 2, 0, 1 }), outC, 1, kh, kw);
            groups = (int)inC;
        }
        else
        {
            // [O, kh, kw, I] -> [O, I, kh, kw]
            int outC = kernel.Shape[0], inC = kernel.Shape[3];
            weight = _g.Constant(ArrayTranspose.Apply(k, new[] { outC, kh, kw, inC }, new[] { 0, 3, 1, 2 }), outC, inC, kh, kw);
        }
        var bias = op.Inputs.Length > 2 && op.Inputs[2] >= 0 ? _g.Constant(ConstantInput(op, 2, weight.Shape[0], "bias"), weight.Shape[0]) : null;
        var y = _g.Conv(x, weight, bias, stride, pads, groups: groups);
        return Activate(y, op, depthwise ? DepthwiseActivationField : ConvActivationField, elementwise: false);
    }

    /// <summary>
    /// MediaPipe's transposed convolution with bias. Its custom options are the C struct TfLiteTransposeConvParams:
    /// int32 padding (1 SAME, 2 VALID), stride width, stride height.
    /// </summary>
    private GraphValue TransposeConvolution(TfliteOperator op)
    {
        var x = Image(op, 0);
        var kernel = Kernel(op, 1);
        var raw = op.CustomOptions.Span;
        if (raw.Length < 12) throw Unsupported(op, $"has {raw.Length} option bytes, expected 12 (padding, stride width, stride height)");
        int strideW = BinaryPrimitives.ReadInt32LittleEndian(raw[4..]), strideH = BinaryPrimitives.ReadInt32LittleEndian(raw[8..]);
        if (strideW < 1 || strideH < 1 || strideW > MaxStride || strideH > MaxStride) throw Unsupported(op, $"has strides {strideW}x{strideH}");
        int outC = kernel.Shape[0], kh = kernel.Shape[1], kw = kernel.Shape[2], inC = kernel.Shape[3];
        // [O, kh, kw, I] -> [I, O, kh, kw]
        var weight = _g.Constant(ArrayTranspose.Apply(ConstantInput(op, 1, kernel.ElementCount, "kernel"), new[] { outC, kh, kw, inC }, new[] { 3, 0, 1, 2 }), inC, outC, kh, kw);
        var bias = _g.Constant(ConstantInput(op, 2, outC, "bias"), outC);
        // The stored output size fixes the padding: what the full transposed convolution has beyond it, split as
        // TensorFlow splits SAME padding (the smaller half first).
        var output = _model.Tensors[op.Outputs[0]];
        if (output.Rank != 4) throw Unsupported(op, "writes a tensor of rank other than 4");
        long totalH = (x.Dim(2) - 1) * strideH + kh - output.Shape[1], totalW = (x.Dim(3) - 1) * strideW + kw - output.Shape[2];
        if (totalH < 0 || totalW < 0) throw Unsupported(op, $"writes {output}, larger than its input and kernel give");
        var pads = ((int)(totalH / 2), (int)(totalW / 2), (int)(totalH - totalH / 2), (int)(totalW - totalW / 2));
        return _g.ConvTranspose(x, weight, bias, (strideH, strideW), pads);
    }

    /// <summary>
    /// PAD with zeros on height and width only (constant int32 paddings [4, 2], NHWC order): BlazePose pads before
    /// its stride-2 VALID convolutions. Padding of the batch or channels is not translated.
    /// </summary>
    private GraphValue Pad(TfliteOperator op)
    {
        var x = Image(op, 0);
        if (op.Inputs.Length > 2 && op.Inputs[2] >= 0) throw Unsupported(op, "pads with a given value; only zeros are translated");
        var p = _model.Ints(Tensor(Input(op, 1)));
        if (p.Length != 8 || p.Any(v => v < 0 || v > MaxStride))
            throw Unsupported(op, $"has paddings [{string.Join(", ", p.Take(8))}]; expected [4, 2] of 0 to {MaxStride}");
        if (p[0] != 0 || p[1] != 0 || p[6] != 0 || p[7] != 0)
            throw Unsupported(op, $"pads [{string.Join(", ", p)}]; only height and width are translated");
        return _g.Pad(x, p[2], p[4], p[3], p[5]);
    }

    /// <summary>MAX_POOL_2D with a square window and stride and VALID padding (BlazePose's 2x2, stride 2), no activation.</summary>
    private GraphValue MaxPool(TfliteOperator op)
    {
        var x = Image(op, 0);
        var options = Options(op);
        int fh = options.Int32(FilterHField), fw = options.Int32(FilterWField);
        var stride = Strides(op, options);
        if (fh != fw || fh < 1 || fh > MaxStride || stride.H != stride.W || options.Byte(PaddingField) != ValidPadding || options.Byte(PoolActivationField) != 0)
            throw Unsupported(op, $"max-pools {fw}x{fh}, strides {stride.W}x{stride.H}; only a square window and stride, VALID, no activation, are translated");
        if (x.Dim(2) < fh || x.Dim(3) < fw) throw Unsupported(op, $"max-pools {fw}x{fh} over {x}, smaller than the window");
        return _g.MaxPool(x, fh, stride.H, 0);
    }

    /// <summary>
    /// RESHAPE of an image of one pixel ([1, 1, 1, C] NHWC, [1, C, 1, 1] here) to a vector ([1, C]): the heads of
    /// BlazePose. NHWC and NCHW hold a 1x1 image's values in the same order, so no transpose is needed; a reshape of
    /// a larger image would need one and is not translated.
    /// </summary>
    private GraphValue Reshape(TfliteOperator op)
    {
        var x = Image(op, 0);
        var output = _model.Tensors[op.Outputs[0]];
        if (x.Dim(2) != 1 || x.Dim(3) != 1)
            throw Unsupported(op, $"reshapes {x}; only an image of one pixel is translated");
        if (output.Rank == 4) throw Unsupported(op, "reshapes to rank 4; only a reshape to a vector is translated");
        return _g.Reshape(x, output.Shape.Select(d => (long)d).ToArray());
    }

    private GraphValue AveragePool(TfliteOperator op)
    {
        var x = Image(op, 0);
        var options = Options(op);
        int fh = options.Int32(FilterHField), fw = options.Int32(FilterWField);
        if (fh != x.Dim(2) || fw != x.Dim(3) || options.Byte(PoolActivationField) != 0)
            throw Unsupported(op, $"pools {fh}x{fw} over {x}; only a global average (the squeeze-excitation blocks) is translated");
        return _g.GlobalAveragePool(x);
    }

    /// <summary>A mean over height and width, kept as 1x1: the landscape model's squeeze-excitation.</summary>
    private GraphValue Mean(TfliteOperator op)
    {
        var x = Image(op, 0);
        var axes = _model.Ints(Tensor(Input(op, 1))).Select(a => a < 0 ? a + 4 : a).Order().ToArray();
        if (!axes.SequenceEqual(new[] { 1, 2 }) || !Options(op).Bool(KeepDimsField))
            throw Unsupported(op, $"averages over axes [{string.Join(", ", axes)}]; only height and width, kept, are translated");
        return _g.GlobalAveragePool(x);
    }

    private GraphValue ResizeBilinear(TfliteOperator op)
    {
        var x = Image(op, 0);
        var size = _model.Ints(Tensor(Input(op, 1)));
        if (size.Length != 2 || size[0] < 1 || size[1] < 1) throw Unsupported(op, $"resizes to [{string.Join(", ", size.Take(8))}]");
        var options = Options(op);
        string mode = options.Bool(AlignCornersField) ? "align_corners" : options.Bool(HalfPixelField) ? "half_pixel" : "asymmetric";
        return _g.ResizeBilinearToSize(x, size[0], size[1], mode);
    }

    /// <summary>
    /// <paramref name="y"/> with <paramref name="op"/>'s fused activation (its options' <paramref name="field"/>); after
    /// an <paramref name="elementwise"/> op (an Add's or a Mul's), a relu6 is <see cref="GraphBuilder.ClipInConvLayout"/>,
    /// which ONNX Runtime keeps in its blocked layout, as it does a clip fused into a convolution (the selfie models'
    /// graphs, translated here too, get the same exact rewrite).
    /// </summary>
    private GraphValue Activate(GraphValue y, TfliteOperator op, int field, bool elementwise)
    {
        byte activation = op.Options is { } o ? o.Byte(field) : (byte)0;
        return activation switch
        {
            0 => y,
            1 => _g.Relu(y),
            3 => elementwise ? _g.ClipInConvLayout(y, 0f, 6f) : _g.Clip(y, 0f, 6f),
            4 => _g.Tanh(y),
            _ => throw Unsupported(op, $"has fused activation {activation}"),
        };
    }

    private (int, int, int, int) Pads(TfliteOperator op, byte padding, GraphValue x, (int H, int W) stride, int kh, int kw)
    {
        if (padding == ValidPadding) return (0, 0, 0, 0);
        if (padding != SamePadding) throw Unsupported(op, $"has padding {padding}");
        return TensorFlowPadding.Same(x.Dim(2), x.Dim(3), stride, kh, kw);
    }

    private (int H, int W) Strides(TfliteOperator op, FlatBufferTable options)
    {
        int h = options.Int32(StrideHField, 1), w = options.Int32(StrideWField, 1);
        if (h < 1 || w < 1 || h > MaxStride || w > MaxStride) throw Unsupported(op, $"has strides {w}x{h}");
        return (h, w);
    }

    /// <summary>Dilation is not translated: a dilated kernel would give the same shapes and another network.</summary>
    private void RequireNoDilation(TfliteOperator op, FlatBufferTable options, int widthField)
    {
        int w = options.Int32(widthField, 1), h = options.Int32(widthField + 1, 1);
        if (w != 1 || h != 1) throw Unsupported(op, $"has dilation {w}x{h}; only undilated kernels are translated");
    }

    private FlatBufferTable Options(TfliteOperator op)
        => op.Options ?? throw Unsupported(op, "has no options table");

    /// <summary>The tensor an operator reads at <paramref name="position"/>, which must be there (not left out as -1).</summary>
    private int Input(TfliteOperator op, int position)
    {
        if (position >= op.Inputs.Length) throw Unsupported(op, $"has {op.Inputs.Length} input(s); it needs at least {position + 1}");
        int tensor = op.Inputs[position];
        if (tensor < 0) throw Unsupported(op, $"leaves out input {position}, which it needs");
        return tensor;
    }

    /// <summary>An element-wise operand: a computed value or a constant.</summary>
    private GraphValue Operand(TfliteOperator op, int position) => Value(Input(op, position));

    /// <summary>An operand read as an image: NCHW, rank 4.</summary>
    private GraphValue Image(TfliteOperator op, int position)
    {
        int tensor = Input(op, position);
        var x = Value(tensor);
        if (x.Rank != 4) throw Unsupported(op, $"reads {_model.Tensors[tensor]} as an image; it needs rank 4 [N, H, W, C]");
        return x;
    }

    /// <summary>A convolution kernel: rank 4 (OHWI, or 1HWC for a depthwise one), no empty dimension.</summary>
    private TfliteTensor Kernel(TfliteOperator op, int position)
    {
        var kernel = Tensor(Input(op, position));
        if (kernel.Rank != 4 || kernel.Shape.Any(d => d < 1))
            throw Unsupported(op, $"has kernel {kernel}; a kernel has rank 4 and no empty dimension");
        return kernel;
    }

    /// <summary>A constant operand's values, which must number <paramref name="count"/>.</summary>
    private float[] ConstantInput(TfliteOperator op, int position, long count, string role)
    {
        int tensor = Input(op, position);
        var values = Constant(tensor);
        if (values.Length != count)
            throw Unsupported(op, $"has {role} {_model.Tensors[tensor]} of {values.Length} values, {count} expected");
        return values;
    }

    private GraphValue Value(int tensor)
    {
        if (_values.TryGetValue(tensor, out var v)) return v;
        var t = _model.Tensors[tensor];
        if (_constants.ContainsKey(tensor) || (t.IsConstant && t.Type is TfliteType.Float32 or TfliteType.Float16))
        {
            // A constant operand of an element-wise operator, laid out as the graph's NCHW values are. TFLite
            // broadcasts a shorter shape against NHWC's trailing axes, which NCHW does not: only rank 4 and single
            // values keep their meaning here.
            if (t.Rank != 4 && t.ElementCount != 1)
                throw new WeightsFormatException(_model.Source, $"tensor {t}: a constant operand of rank {t.Rank} is not translated (rank 4 or a single value)");
            var shape = NchwShape(t);
            var values = Constant(tensor);
            if (values.Length != t.ElementCount)
                throw new WeightsFormatException(_model.Source, $"tensor {t}: {values.Length} values for its shape");
            if (t.Shape.Length == 4) values = ArrayTranspose.Apply(values, t.Shape, new[] { 0, 3, 1, 2 });
            return _values[tensor] = _g.Constant(values, shape);
        }
        throw new WeightsFormatException(_model.Source, $"tensor {t} is read before any operator writes it");
    }

    private float[] Constant(int tensor)
    {
        if (_constants.TryGetValue(tensor, out var c)) return c;
        var t = _model.Tensors[tensor];
        return _constants[tensor] = _model.Floats(t);
    }

    private TfliteTensor Tensor(int index) => _model.Tensors[index];

    private void Expect(TfliteTensor tensor, GraphValue value)
    {
        var expected = NchwShape(tensor);
        if (!expected.SequenceEqual(value.Shape))
            throw new WeightsFormatException(_model.Source, $"tensor {tensor}: the translation gives [{string.Join("x", value.Shape)}] (NCHW), the file stores [{string.Join("x", expected)}]");
    }

    private WeightsFormatException Unsupported(TfliteOperator op, string problem)
        => new(_model.Source, $"{op.Describe()} writing {_model.Tensors[op.Outputs[0]]} {problem}");
}
