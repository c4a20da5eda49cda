using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MatteKit.Inference;

/// <summary>
/// One ONNX Runtime session and every value bound to its inputs and outputs, owned together: the session is built
/// once from a graph (bytes or a file) with the options of <see cref="OrtSessionOptions"/>, each input and output is
/// bound once to a buffer allocated when it is bound (again only when its shape changes), and each run reuses them,
/// as ONNX Runtime's C# guidance asks. Recurrent values are fed back without copying (<see cref="BindFedBack(string, string, long[])"/>).
/// The networks' own pre- and post-processing stays with their sessions; this type only binds, runs and disposes.
/// </summary>
internal sealed class BoundSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    // Arrays, as ONNX Runtime is handed them each run; they grow only while values are bound.
    private string[] _inputNames = Array.Empty<string>();
    private OrtValue[] _inputs = Array.Empty<OrtValue>();
    private string[] _outputNames = Array.Empty<string>();
    // Null until a run where ONNX Runtime allocates the output (the output's shape is not known before).
    private OrtValue?[] _outputs = Array.Empty<OrtValue?>();
    private bool[] _allocatedByRuntime = Array.Empty<bool>();
    private int _allocatedCount;
    private readonly List<(int Input, int Output, FedBackBuffers? Buffers)> _fedBack = new();

    private BoundSession(InferenceSession session) => _session = session;

    /// <summary>A session of a graph MatteKit built (serialised ONNX).</summary>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime refuses the graph.</exception>
    public static BoundSession FromGraph(byte[] onnx, SessionOptions options) => new(new InferenceSession(onnx, options));

    /// <summary>A session of an ONNX file as it is.</summary>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime cannot load the file.</exception>
    public static BoundSession FromFile(string path, SessionOptions options) => new(new InferenceSession(path, options));

    public IReadOnlyDictionary<string, NodeMetadata> InputMetadata => _session.InputMetadata;
    public IReadOnlyDictionary<string, NodeMetadata> OutputMetadata => _session.OutputMetadata;
    public ModelMetadata ModelMetadata => _session.ModelMetadata;

    /// <summary>Binds input <paramref name="name"/> to a new buffer of <paramref name="shape"/> (replacing any earlier one); fill it before each run.</summary>
    public T[] BindInput<T>(string name, params long[] shape) where T : unmanaged
    {
        var buffer = new T[Length(shape)];
        SetInput(name, OrtValue.CreateTensorValueFromMemory(buffer, shape));
        return buffer;
    }

    /// <summary>
    /// Binds input <paramref name="name"/> to zeros of an element type chosen at run time (a file's float or float16),
    /// allocated by ONNX Runtime; <see cref="Input"/> gives its bytes to fill.
    /// </summary>
    public void BindInput(string name, TensorElementType type, params long[] shape)
    {
        var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, type, shape);
        value.GetTensorMutableRawData().Clear();
        SetInput(name, value);
    }

    /// <summary>Binds output <paramref name="name"/> to a new buffer of <paramref name="shape"/>: each run writes it there.</summary>
    public T[] BindOutput<T>(string name, params long[] shape) where T : unmanaged
    {
        var buffer = new T[Length(shape)];
        BindOutput(name, buffer, shape);
        return buffer;
    }

    /// <summary>Binds output <paramref name="name"/> to a buffer the caller allocated, of <paramref name="shape"/>.</summary>
    public void BindOutput<T>(string name, T[] buffer, params long[] shape) where T : unmanaged
    {
        if (buffer.Length != Length(shape))
            throw new ArgumentException($"output '{name}': a buffer of {buffer.Length} values for shape [{string.Join(", ", shape)}]", nameof(buffer));
        SetOutput(name, OrtValue.CreateTensorValueFromMemory(buffer, shape), allocatedByRuntime: false);
    }

    /// <summary>
    /// Feeds output <paramref name="output"/> back into input <paramref name="input"/>, both of
    /// <paramref name="shape"/>: two buffers that swap roles after each run. Starts from zeros.
    /// </summary>
    public FedBackBuffers BindFedBack(string input, string output, params long[] shape)
    {
        var buffers = new FedBackBuffers(checked((int)Length(shape)));
        SetInput(input, OrtValue.CreateTensorValueFromMemory(buffers.Current, shape));
        SetOutput(output, OrtValue.CreateTensorValueFromMemory(buffers.Next, shape), allocatedByRuntime: false);
        _fedBack.Add((Array.IndexOf(_inputNames, input), Array.IndexOf(_outputNames, output), buffers));
        return buffers;
    }

    /// <summary>
    /// Feeds output <paramref name="output"/> back into input <paramref name="input"/> where the output's shape is
    /// known only once the graph ran (an ONNX file with dynamic sizes): the input starts as zeros of
    /// <paramref name="firstShape"/>; each run, ONNX Runtime allocates the output and that value becomes the next
    /// run's input. A session with such an output has every output allocated by ONNX Runtime
    /// (<see cref="AllocateOutput"/>).
    /// </summary>
    public void BindFedBack(string input, string output, TensorElementType type, params long[] firstShape)
    {
        BindInput(input, type, firstShape);
        AllocateOutput(output);
        _fedBack.Add((Array.IndexOf(_inputNames, input), Array.IndexOf(_outputNames, output), null));
    }

    /// <summary>Output <paramref name="name"/> is allocated by ONNX Runtime at each run and read through <see cref="Output"/>.</summary>
    public void AllocateOutput(string name) => SetOutput(name, null, allocatedByRuntime: true);

    /// <summary>The value bound to input <paramref name="name"/>, owned by this session: fill or read it, never dispose it.</summary>
    public OrtValue Input(string name) => _inputs[IndexOf(_inputNames, name, "input")];

    /// <summary>The value of output <paramref name="name"/> after the last run, owned by this session: read it, never dispose it.</summary>
    public OrtValue Output(string name)
        => _outputs[IndexOf(_outputNames, name, "output")] ?? throw new InvalidOperationException($"output '{name}' has no value before the first run");

    /// <summary>Runs the graph on the bound inputs into the bound outputs, then feeds the fed-back outputs into their inputs.</summary>
    public void Run()
    {
        if (_allocatedCount == 0)
        {
            // Every output is bound to a buffer, so none is null.
            _session.Run(_runOptions, _inputNames, _inputs, _outputNames, _outputs!);
        }
        else if (_allocatedCount == _outputs.Length)
        {
            // The results' ownership passes to this session (the collection itself holds nothing else).
            var results = _session.Run(_runOptions, _inputNames, _inputs, _outputNames);
            for (int i = 0; i < _outputs.Length; i++)
            {
                _outputs[i]?.Dispose();
                _outputs[i] = results[i];
            }
        }
        else
        {
            throw new InvalidOperationException("ONNX Runtime either writes every output into bound buffers or allocates every one");
        }
        foreach (var f in _fedBack)
        {
            if (f.Buffers is { } buffers)
            {
                (_inputs[f.Input], _outputs[f.Output]) = (_outputs[f.Output]!, _inputs[f.Input]);
                buffers.Swap();
            }
            else
            {
                _inputs[f.Input].Dispose();
                _inputs[f.Input] = _outputs[f.Output]!;
                _outputs[f.Output] = null;
            }
        }
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
        foreach (var v in _inputs) v.Dispose();
        foreach (var v in _outputs) v?.Dispose();
    }

    private void SetInput(string name, OrtValue value)
    {
        int index = Array.IndexOf(_inputNames, name);
        if (index < 0)
        {
            _inputNames = _inputNames.Append(name).ToArray();
            _inputs = _inputs.Append(value).ToArray();
            return;
        }
        _inputs[index].Dispose();
        _inputs[index] = value;
        _fedBack.RemoveAll(f => f.Input == index);
    }

    private void SetOutput(string name, OrtValue? value, bool allocatedByRuntime)
    {
        int index = Array.IndexOf(_outputNames, name);
        if (index < 0)
        {
            _outputNames = _outputNames.Append(name).ToArray();
            _outputs = _outputs.Append(value).ToArray();
            _allocatedByRuntime = _allocatedByRuntime.Append(allocatedByRuntime).ToArray();
        }
        else
        {
            _outputs[index]?.Dispose();
            _outputs[index] = value;
            if (_allocatedByRuntime[index]) _allocatedCount--;
            _allocatedByRuntime[index] = allocatedByRuntime;
            _fedBack.RemoveAll(f => f.Output == index);
        }
        if (allocatedByRuntime) _allocatedCount++;
    }

    private static int IndexOf(string[] names, string name, string kind)
    {
        int index = Array.IndexOf(names, name);
        return index >= 0 ? index : throw new ArgumentException($"no {kind} '{name}' is bound", nameof(name));
    }

    private static long Length(long[] shape) => shape.Aggregate(1L, (a, b) => a * b);
}
