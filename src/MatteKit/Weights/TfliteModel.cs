using MatteKit.Media;

namespace MatteKit.Weights;

/// <summary>
/// The main subgraph of a TensorFlow Lite model (<c>.tflite</c>, FlatBuffers with identifier <c>TFL3</c>): tensors,
/// operators in execution order, inputs and outputs. Field numbers are those of TensorFlow's
/// <c>tensorflow/lite/schema/schema.fbs</c>. Reading checks every offset; a damaged or foreign file is a
/// <see cref="WeightsFormatException"/> naming the file.
/// </summary>
internal sealed class TfliteModel
{
    /// <summary>Larger than any model this reader is meant for (the selfie models are 250 KB).</summary>
    public const long MaxFileBytes = 256L << 20;

    private TfliteModel(string source, TfliteTensor[] tensors, TfliteOperator[] operators, int[] inputs, int[] outputs)
    {
        Source = source;
        Tensors = tensors;
        Operators = operators;
        Inputs = inputs;
        Outputs = outputs;
    }

    public string Source { get; }
    public IReadOnlyList<TfliteTensor> Tensors { get; }
    public IReadOnlyList<TfliteOperator> Operators { get; }
    public IReadOnlyList<int> Inputs { get; }
    public IReadOnlyList<int> Outputs { get; }

    /// <summary>
    /// Most elements one tensor may have: 16 times the largest of the shipped models (294,912 at 256x256), so a
    /// model four times their input side still reads, and a 660-byte file cannot declare a 20000x20000 input.
    /// </summary>
    public const long MaxTensorElements = 1L << 24;

    /// <summary>
    /// Most elements all computed tensors together may have (512 MiB as float32): what running the model could
    /// take at most. The shipped general model has 7.6 million at 256x256.
    /// </summary>
    public const long MaxComputedElements = 1L << 27;

    /// <summary>TFLite's own kernels take at most rank 6; a longer shape is damage.</summary>
    public const int MaxRank = 8;

    /// <exception cref="WeightsFormatException">Missing, not a regular file, larger than <see cref="MaxFileBytes"/>, or not a model this reads.</exception>
    public static TfliteModel Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = InputFile.ReadAllBytes(path, MaxFileBytes, "a TFLite model");
        }
        catch (MediaFormatException e)
        {
            throw new WeightsFormatException(path, e.Problem, e);
        }
        return Read(bytes, path);
    }

    public static TfliteModel Read(byte[] bytes, string source)
    {
        if (bytes.Length < 8 || bytes[4] != 'T' || bytes[5] != 'F' || bytes[6] != 'L' || bytes[7] != '3')
            throw new WeightsFormatException(source, "not a TensorFlow Lite model (no 'TFL3' identifier at byte 4)");
        try
        {
            return Parse(bytes, source);
        }
        catch (FormatException e)
        {
            throw new WeightsFormatException(source, "damaged TFLite file: " + e.Message, e);
        }
    }

    private static TfliteModel Parse(byte[] bytes, string source)
    {
        var model = FlatBufferTable.Root(bytes);
        // Model: 0 version, 1 operator_codes, 2 subgraphs, 3 description, 4 buffers.
        var codes = model.Tables(1).Select(c => (Code: OperatorCode(c), Custom: (c.String(1) is { } custom ? Media.PrintableText.Excerpt(custom) : null))).ToArray();
        var subgraphs = model.Tables(2);
        if (subgraphs.Length == 0) throw new WeightsFormatException(source, "the model has no subgraph");
        var buffers = model.Tables(4).Select(BufferData).ToArray();

        // SubGraph: 0 tensors, 1 inputs, 2 outputs, 3 operators.
        var graph = subgraphs[0];
        var tensorTables = graph.Tables(0);
        var tensors = new TfliteTensor[tensorTables.Length];
        long computedElements = 0;
        for (int i = 0; i < tensors.Length; i++)
        {
            // Tensor: 0 shape, 1 type, 2 buffer, 3 name.
            var t = tensorTables[i];
            string name = (t.String(3) is { } tensorName ? Media.PrintableText.Excerpt(tensorName) : $"tensor_{i}");
            var shape = t.Int32s(0);
            if (shape.Length > MaxRank)
                throw new WeightsFormatException(source, $"tensor {i} '{name}' has rank {shape.Length}, more than the {MaxRank} a model may use");
            uint buffer = t.UInt32(2);
            if (buffer >= buffers.Length && buffer != 0)
                throw new WeightsFormatException(source, $"damaged TFLite file: tensor {i} '{name}' names buffer {buffer} of {buffers.Length}");
            var type = (TfliteType)t.Byte(1);
            var tensor = new TfliteTensor(i, name, shape, type, buffer == 0 ? ReadOnlyMemory<byte>.Empty : buffers[buffer]);
            if (shape.Any(d => d < 0)) throw new WeightsFormatException(source, $"tensor {tensor} has a negative size");
            // Dimensions are below 2^31 and the running product stays below the cap, so no product can overflow.
            long elements = 1;
            foreach (int d in shape)
                if ((elements *= d) > MaxTensorElements)
                    throw new WeightsFormatException(source, $"tensor {tensor} has more than the {MaxTensorElements} elements a tensor may have here");
            if (tensor.IsConstant)
            {
                long needed = elements * ElementBytes(type, source, tensor);
                if (tensor.Data.Length != needed)
                    throw new WeightsFormatException(source, $"tensor {tensor} holds {tensor.Data.Length} bytes, its shape needs {needed}");
            }
            else if ((computedElements += elements) > MaxComputedElements)
            {
                throw new WeightsFormatException(source, $"the computed tensors up to {tensor} have more than the {MaxComputedElements} elements a model may have here");
            }
            tensors[i] = tensor;
        }

        var operatorTables = graph.Tables(3);
        var operators = new TfliteOperator[operatorTables.Length];
        for (int i = 0; i < operators.Length; i++)
        {
            // Operator: 0 opcode_index, 1 inputs, 2 outputs, 3 builtin_options_type, 4 builtin_options, 5 custom_options.
            var op = operatorTables[i];
            uint index = op.UInt32(0);
            if (index >= codes.Length) throw new FormatException($"operator {i} names operator code {index} of {codes.Length}");
            var inputs = op.Int32s(1);
            var outputs = op.Int32s(2);
            foreach (int t in inputs)
                if (t < -1 || t >= tensors.Length) throw new FormatException($"operator {i} reads tensor {t} of {tensors.Length}");
            // -1 marks an optional input left out; every operator writes at least one tensor, and only real ones.
            if (outputs.Length == 0) throw new FormatException($"operator {i} writes no tensor");
            foreach (int t in outputs)
                if (t < 0 || t >= tensors.Length) throw new FormatException($"operator {i} writes tensor {t} of {tensors.Length}");
            operators[i] = new TfliteOperator(i, (TfliteOp)codes[index].Code, codes[index].Custom, inputs, outputs, op.Table(4), op.Bytes(5));
        }

        int[] ins = graph.Int32s(1), outs = graph.Int32s(2);
        if (ins.Concat(outs).Any(t => t < 0 || t >= tensors.Length)) throw new FormatException("a subgraph input or output names no tensor");
        return new TfliteModel(source, tensors, operators, ins, outs);
    }

    /// <summary>A name from the file as messages show it: control characters replaced, at most 200 characters.</summary>
    /// <summary>
    /// OperatorCode: 0 deprecated_builtin_code (int8), 1 custom_code, 2 version, 3 builtin_code (int32). Writers
    /// fill both codes and older files only the first; the larger of the two is the operator (TFLite's own rule).
    /// </summary>
    private static int OperatorCode(FlatBufferTable code) => Math.Max((sbyte)code.Byte(0), code.Int32(3));

    /// <summary>Buffer: 0 data; or, in files over 2 GB, 1 offset and 2 size from the start of the file.</summary>
    private static ReadOnlyMemory<byte> BufferData(FlatBufferTable buffer)
    {
        if (buffer.Has(1))
            throw new FormatException("buffers stored outside the FlatBuffer (files over 2 GB) are not read here");
        return buffer.Bytes(0);
    }

    private static int ElementBytes(TfliteType type, string source, TfliteTensor tensor) => type switch
    {
        TfliteType.Float32 or TfliteType.Int32 => 4,
        TfliteType.Float16 => 2,
        TfliteType.Int64 => 8,
        TfliteType.UInt8 or TfliteType.Int8 or TfliteType.Bool => 1,
        _ => throw new WeightsFormatException(source, $"tensor '{tensor.Name}' has element type {(byte)type}, which this reader does not know"),
    };

    /// <summary>A constant tensor's values as floats (float32 as stored, float16 widened exactly).</summary>
    public float[] Floats(TfliteTensor tensor)
    {
        if (!tensor.IsConstant) throw new WeightsFormatException(Source, $"tensor {tensor} is not a constant");
        var data = tensor.Data.Span;
        var values = new float[tensor.ElementCount];
        switch (tensor.Type)
        {
            case TfliteType.Float32:
                System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(data).CopyTo(values);
                break;
            case TfliteType.Float16:
                var halves = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, Half>(data);
                for (int i = 0; i < values.Length; i++) values[i] = (float)halves[i];
                break;
            default:
                throw new WeightsFormatException(Source, $"tensor {tensor}: expected float32 or float16 values");
        }
        return values;
    }

    /// <summary>A constant int32 tensor's values (sizes, axes).</summary>
    public int[] Ints(TfliteTensor tensor)
    {
        if (!tensor.IsConstant || tensor.Type != TfliteType.Int32) throw new WeightsFormatException(Source, $"tensor {tensor}: expected constant int32 values");
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(tensor.Data.Span).ToArray();
    }
}
