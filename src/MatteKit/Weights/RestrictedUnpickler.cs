using System.Buffers.Binary;
using System.Text;

namespace MatteKit.Weights;

/// <summary>
/// A pickle reader for the <c>data.pkl</c> of a PyTorch checkpoint that executes nothing. It understands only
/// the opcodes a state_dict of tensors needs and only an allow-list of globals; "calling" an allowed global
/// builds one of our own objects (<see cref="PickleDict"/>, <see cref="TorchTensorRef"/>). Any other opcode or
/// global is refused with a one-line <see cref="WeightsFormatException"/> naming the file.
/// </summary>
/// <remarks>
/// Values on the stack: <c>null</c> (None), <see cref="bool"/>, <see cref="long"/>, <see cref="double"/>,
/// <see cref="string"/> (str, and the bytes of BINSTRING read as Latin-1), <c>object?[]</c> (tuple),
/// <see cref="List{T}"/> of <c>object?</c> (list), <see cref="PickleDict"/>, <see cref="PickleGlobal"/>,
/// <see cref="TorchStorageRef"/> and <see cref="TorchTensorRef"/>.
/// </remarks>
internal sealed class RestrictedUnpickler
{
    private const string PickleName = "data.pkl";

    private static readonly HashSet<string> AllowedCallables = new(StringComparer.Ordinal)
    {
        "collections.OrderedDict",
        "torch._utils._rebuild_tensor_v2",
        "torch._utils._rebuild_parameter",
    };

    private static readonly Dictionary<byte, string> OpcodeNames = new()
    {
        [(byte)'('] = "MARK", [(byte)'.'] = "STOP", [(byte)'0'] = "POP", [(byte)'1'] = "POP_MARK",
        [(byte)'2'] = "DUP", [(byte)'F'] = "FLOAT", [(byte)'I'] = "INT", [(byte)'J'] = "BININT",
        [(byte)'K'] = "BININT1", [(byte)'L'] = "LONG", [(byte)'M'] = "BININT2", [(byte)'N'] = "NONE",
        [(byte)'P'] = "PERSID", [(byte)'Q'] = "BINPERSID", [(byte)'R'] = "REDUCE", [(byte)'S'] = "STRING",
        [(byte)'T'] = "BINSTRING", [(byte)'U'] = "SHORT_BINSTRING", [(byte)'V'] = "UNICODE",
        [(byte)'X'] = "BINUNICODE", [(byte)'a'] = "APPEND", [(byte)'b'] = "BUILD", [(byte)'c'] = "GLOBAL",
        [(byte)'d'] = "DICT", [(byte)'}'] = "EMPTY_DICT", [(byte)'e'] = "APPENDS", [(byte)'g'] = "GET",
        [(byte)'h'] = "BINGET", [(byte)'i'] = "INST", [(byte)'j'] = "LONG_BINGET", [(byte)'l'] = "LIST",
        [(byte)']'] = "EMPTY_LIST", [(byte)'o'] = "OBJ", [(byte)'p'] = "PUT", [(byte)'q'] = "BINPUT",
        [(byte)'r'] = "LONG_BINPUT", [(byte)'s'] = "SETITEM", [(byte)'t'] = "TUPLE", [(byte)')'] = "EMPTY_TUPLE",
        [(byte)'u'] = "SETITEMS", [(byte)'G'] = "BINFLOAT", [0x80] = "PROTO", [0x81] = "NEWOBJ",
        [0x82] = "EXT1", [0x83] = "EXT2", [0x84] = "EXT4", [0x85] = "TUPLE1", [0x86] = "TUPLE2",
        [0x87] = "TUPLE3", [0x88] = "NEWTRUE", [0x89] = "NEWFALSE", [0x8a] = "LONG1", [0x8b] = "LONG4",
        [(byte)'B'] = "BINBYTES", [(byte)'C'] = "SHORT_BINBYTES", [0x8c] = "SHORT_BINUNICODE",
        [0x8d] = "BINUNICODE8", [0x8e] = "BINBYTES8", [0x8f] = "EMPTY_SET", [0x90] = "ADDITEMS",
        [0x91] = "FROZENSET", [0x92] = "NEWOBJ_EX", [0x93] = "STACK_GLOBAL", [0x94] = "MEMOIZE",
        [0x95] = "FRAME", [0x96] = "BYTEARRAY8", [0x97] = "NEXT_BUFFER", [0x98] = "READONLY_BUFFER",
    };

    private static readonly object Mark = new();

    private readonly byte[] _data;
    private readonly string _file;
    private readonly List<object?> _stack = new();
    private readonly List<int> _marks = new();
    private readonly Dictionary<long, object?> _memo = new();
    private int _pos;
    private int _opStart;
    private byte _op;

    private RestrictedUnpickler(byte[] data, string file)
    {
        _data = data;
        _file = file;
    }

    /// <summary>Reads the single object pickled in <paramref name="data"/> (the bytes of data.pkl of <paramref name="file"/>).</summary>
    public static object? Load(byte[] data, string file) => new RestrictedUnpickler(data, file).Run();

    /// <summary>Whether <paramref name="global"/> may appear in a weights file.</summary>
    public static bool IsAllowed(PickleGlobal global) =>
        AllowedCallables.Contains(global.FullName) || TorchDType.FromStorageClass(global) != null;

    private object? Run()
    {
        while (true)
        {
            _opStart = _pos;
            _op = ReadByte();
            switch (_op)
            {
                case 0x80: // PROTO
                    var proto = ReadByte();
                    if (proto > 5)
                        throw Fail($"uses pickle protocol {proto}, which does not exist (corrupt file?)");
                    break;
                case 0x95: // FRAME: a length prefix of the following opcodes; the bytes are already here.
                    ReadBytes(8);
                    break;
                case (byte)'.': // STOP
                    if (_marks.Count != 0 || _stack.Count != 1)
                        throw Fail($"the pickle stops with {_stack.Count} objects on its stack instead of one (corrupt file?)");
                    return _stack[0];
                case (byte)'(': // MARK
                    _marks.Add(_stack.Count);
                    _stack.Add(Mark);
                    break;
                case (byte)'}': Push(new PickleDict(isOrdered: false)); break;
                case (byte)']': Push(new List<object?>()); break;
                case (byte)')': Push(Array.Empty<object?>()); break;
                case (byte)'t': Push(PopMark().ToArray()); break;
                case 0x85: { var a = Pop(); Push(new[] { a }); break; }
                case 0x86: { var b = Pop(); var a = Pop(); Push(new[] { a, b }); break; }
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new[] { a, b, c }); break; }
                case (byte)'X': Push(ReadUtf8(ReadLength(4))); break; // BINUNICODE
                case 0x8c: Push(ReadUtf8(ReadLength(1))); break; // SHORT_BINUNICODE
                case 0x8d: Push(ReadUtf8(ReadLength(8))); break; // BINUNICODE8
                case (byte)'T': Push(Encoding.Latin1.GetString(ReadBytes(ReadLength(4)))); break; // BINSTRING
                case (byte)'U': Push(Encoding.Latin1.GetString(ReadBytes(ReadLength(1)))); break; // SHORT_BINSTRING
                case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))); break; // BININT
                case (byte)'K': Push((long)ReadByte()); break; // BININT1
                case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2))); break; // BININT2
                case 0x8a: Push(ReadLong1()); break; // LONG1
                case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8))); break; // BINFLOAT
                case (byte)'N': Push(null); break;
                case 0x88: Push(true); break;
                case 0x89: Push(false); break;
                case (byte)'q': _memo[ReadByte()] = Peek(); break; // BINPUT
                case (byte)'r': _memo[BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))] = Peek(); break; // LONG_BINPUT
                case 0x94: _memo[_memo.Count] = Peek(); break; // MEMOIZE
                case (byte)'h': Push(MemoGet(ReadByte())); break; // BINGET
                case (byte)'j': Push(MemoGet(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)))); break; // LONG_BINGET
                case (byte)'c': // GLOBAL
                {
                    var module = ReadLine();
                    var name = ReadLine();
                    Push(CheckGlobal(new PickleGlobal(module, name)));
                    break;
                }
                case 0x93: // STACK_GLOBAL
                {
                    var name = Pop();
                    var module = Pop();
                    if (module is not string m || name is not string n)
                        throw Fail($"STACK_GLOBAL at byte {_opStart} of {PickleName} needs two strings (corrupt file?)");
                    Push(CheckGlobal(new PickleGlobal(m, n)));
                    break;
                }
                case (byte)'R': // REDUCE
                {
                    var args = Pop();
                    var callable = Pop();
                    Push(Call(callable, args));
                    break;
                }
                case (byte)'b': Build(); break;
                case (byte)'s': // SETITEM
                {
                    var value = Pop();
                    var key = Pop();
                    DictOnTop("SETITEM").Set(key, value);
                    break;
                }
                case (byte)'u': // SETITEMS
                {
                    var items = PopMark();
                    if (items.Count % 2 != 0)
                        throw Fail($"SETITEMS at byte {_opStart} of {PickleName} has an odd number of items (corrupt file?)");
                    var dict = DictOnTop("SETITEMS");
                    for (var i = 0; i < items.Count; i += 2) dict.Set(items[i], items[i + 1]);
                    break;
                }
                case (byte)'a': // APPEND
                {
                    var value = Pop();
                    ListOnTop("APPEND").Add(value);
                    break;
                }
                case (byte)'e': // APPENDS
                {
                    var items = PopMark();
                    ListOnTop("APPENDS").AddRange(items);
                    break;
                }
                case (byte)'Q': // BINPERSID
                    Push(PersistentLoad(Pop()));
                    break;
                default:
                    var opName = OpcodeNames.TryGetValue(_op, out var known) ? known : "unknown";
                    throw Fail($"pickle opcode 0x{_op:X2} ({opName}) at byte {_opStart} of {PickleName} is not allowed in a weights file");
            }
        }
    }

    private PickleGlobal CheckGlobal(PickleGlobal global)
    {
        if (!IsAllowed(global))
            throw Fail($"pickle global '{Media.PrintableText.Excerpt(global.FullName)}' is not allowed in a weights file");
        return global;
    }

    private object? Call(object? callable, object? args)
    {
        if (callable is not PickleGlobal g)
            throw Fail($"pickle REDUCE at byte {_opStart} of {PickleName} calls a {TypeName(callable)}, not an allowed global");
        if (args is not object?[] a)
            throw Fail($"pickle REDUCE at byte {_opStart} of {PickleName} calls {g.FullName} with a {TypeName(args)} instead of an argument tuple");
        switch (g.FullName)
        {
            case "collections.OrderedDict":
                return NewOrderedDict(a);
            case "torch._utils._rebuild_tensor_v2":
                return RebuildTensor(a);
            case "torch._utils._rebuild_parameter":
                // (data, requires_grad, backward_hooks): a Parameter is its tensor for our purposes.
                if (a.Length != 3 || a[0] is not TorchTensorRef t)
                    throw Fail($"torch._utils._rebuild_parameter at byte {_opStart} of {PickleName} expects (tensor, requires_grad, hooks), got {Describe(a)}");
                return t;
            default:
                // Storage classes are allowed as names inside a persistent id, never as something to call.
                throw Fail($"pickle global '{g.FullName}' is not allowed to be called in a weights file");
        }
    }

    private PickleDict NewOrderedDict(object?[] args)
    {
        var dict = new PickleDict(isOrdered: true);
        if (args.Length == 0) return dict;
        // OrderedDict(iterable of (key, value) pairs): a list, or a tuple (TorchSharp.PyBridge writes OrderedDict(())).
        if (args.Length == 1 && args[0] is List<object?> or object?[])
        {
            var pairs = args[0] as IEnumerable<object?> ?? Array.Empty<object?>();
            foreach (var p in pairs)
            {
                if (p is not object?[] { Length: 2 } kv)
                    throw Fail($"collections.OrderedDict at byte {_opStart} of {PickleName} got an item that is not a (key, value) pair");
                dict.Set(kv[0], kv[1]);
            }
            return dict;
        }
        throw Fail($"collections.OrderedDict at byte {_opStart} of {PickleName} got unexpected arguments {Describe(args)}");
    }

    private TorchTensorRef RebuildTensor(object?[] a)
    {
        // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
        if (a.Length is < 6 or > 7 || a[0] is not TorchStorageRef storage || a[1] is not long offset
            || a[2] is not object?[] size || a[3] is not object?[] stride)
            throw Fail($"torch._utils._rebuild_tensor_v2 at byte {_opStart} of {PickleName} expects (storage, offset, size, stride, requires_grad, hooks), got {Describe(a)}");
        var sizes = new long[size.Length];
        var strides = new long[stride.Length];
        if (sizes.Length != strides.Length)
            throw Fail($"torch._utils._rebuild_tensor_v2 at byte {_opStart} of {PickleName} has {sizes.Length} sizes but {strides.Length} strides");
        for (var i = 0; i < sizes.Length; i++)
        {
            if (size[i] is not long s || stride[i] is not long st)
                throw Fail($"torch._utils._rebuild_tensor_v2 at byte {_opStart} of {PickleName} has a size or stride that is not an integer");
            sizes[i] = s;
            strides[i] = st;
        }
        return new TorchTensorRef(storage, offset, sizes, strides);
    }

    private TorchStorageRef PersistentLoad(object? pid)
    {
        // ('storage', <storage class>, '<key>', '<location>', numel)
        if (pid is object?[] { Length: 5 } t && t[0] is "storage" && t[1] is PickleGlobal cls
            && t[2] is string key && t[3] is string location && t[4] is long numel)
        {
            var dtype = TorchDType.FromStorageClass(cls)
                ?? throw Fail($"persistent id at byte {_opStart} of {PickleName} names '{cls.FullName}', which is not a storage class");
            return new TorchStorageRef(dtype, key, location, numel);
        }
        throw Fail($"persistent id at byte {_opStart} of {PickleName} is {Describe(pid)}, not a ('storage', type, key, location, numel) tuple");
    }

    private void Build()
    {
        var state = Pop();
        var target = Peek();
        // OrderedDict.__reduce__ gives its instance dict as state: for a state_dict, {'_metadata': ...}.
        if (target is PickleDict { IsOrdered: true } dict && (state is PickleDict || state is null))
        {
            dict.State = state;
            return;
        }
        throw Fail($"pickle BUILD at byte {_opStart} of {PickleName} sets the state of a {TypeName(target)}, which is not allowed in a weights file");
    }

    private PickleDict DictOnTop(string op) =>
        Peek() as PickleDict ?? throw Fail($"pickle {op} at byte {_opStart} of {PickleName} targets a {TypeName(Peek())}, not a dict");

    private List<object?> ListOnTop(string op) =>
        Peek() as List<object?> ?? throw Fail($"pickle {op} at byte {_opStart} of {PickleName} targets a {TypeName(Peek())}, not a list");

    private void Push(object? value) => _stack.Add(value);

    private object? Pop()
    {
        var count = _stack.Count;
        if (count == 0 || (_marks.Count > 0 && _marks[^1] == count - 1))
            throw Fail($"pickle stack underflow at byte {_opStart} of {PickleName} (corrupt file?)");
        var v = _stack[count - 1];
        _stack.RemoveAt(count - 1);
        return v;
    }

    private object? Peek()
    {
        var count = _stack.Count;
        if (count == 0 || ReferenceEquals(_stack[count - 1], Mark))
            throw Fail($"pickle stack underflow at byte {_opStart} of {PickleName} (corrupt file?)");
        return _stack[count - 1];
    }

    private List<object?> PopMark()
    {
        if (_marks.Count == 0)
            throw Fail($"pickle opcode at byte {_opStart} of {PickleName} needs a MARK that is not there (corrupt file?)");
        var at = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        var items = _stack.GetRange(at + 1, _stack.Count - at - 1);
        _stack.RemoveRange(at, _stack.Count - at);
        return items;
    }

    private object? MemoGet(long index) =>
        _memo.TryGetValue(index, out var v)
            ? v
            : throw Fail($"pickle memo entry {index} read at byte {_opStart} of {PickleName} was never stored (corrupt file?)");

    private byte ReadByte()
    {
        if (_pos >= _data.Length) throw UnexpectedEnd();
        return _data[_pos++];
    }

    private ReadOnlySpan<byte> ReadBytes(long count)
    {
        if (count < 0 || count > _data.Length - _pos) throw UnexpectedEnd();
        var span = _data.AsSpan(_pos, (int)count);
        _pos += (int)count;
        return span;
    }

    private long ReadLength(int width)
    {
        var b = ReadBytes(width);
        return width switch
        {
            1 => b[0],
            4 => BinaryPrimitives.ReadUInt32LittleEndian(b),
            _ => BinaryPrimitives.ReadInt64LittleEndian(b) is var n && n >= 0 ? n : long.MaxValue,
        };
    }

    private string ReadUtf8(long length)
    {
        var bytes = ReadBytes(length);
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Fail($"pickle string at byte {_opStart} of {PickleName} is not valid UTF-8 (corrupt file?)");
        }
    }

    private string ReadLine()
    {
        var end = Array.IndexOf(_data, (byte)'\n', _pos);
        if (end < 0) throw UnexpectedEnd();
        var text = Encoding.UTF8.GetString(_data, _pos, end - _pos);
        _pos = end + 1;
        return text;
    }

    private long ReadLong1()
    {
        var n = ReadByte();
        var bytes = ReadBytes(n);
        if (n == 0) return 0;
        if (n > 8)
            throw Fail($"pickle integer at byte {_opStart} of {PickleName} has {n} bytes, more than a weights file needs");
        // Little-endian two's complement of n bytes, sign-extended.
        long value = (sbyte)bytes[n - 1];
        for (var i = n - 2; i >= 0; i--) value = (value << 8) | bytes[i];
        return value;
    }

    private WeightsFormatException UnexpectedEnd() =>
        Fail($"{PickleName} ends unexpectedly at byte {_data.Length} (truncated or corrupt file)");

    private WeightsFormatException Fail(string problem) => new(_file, problem);

    /// <summary>The Python type name of a rebuilt value, for messages.</summary>
    public static string TypeName(object? v) => v switch
    {
        null => "None",
        bool => "bool",
        long => "int",
        double => "float",
        string => "str",
        object?[] => "tuple",
        List<object?> => "list",
        PickleDict { IsOrdered: true } => "OrderedDict",
        PickleDict => "dict",
        PickleGlobal g => $"global '{g.FullName}'",
        TorchStorageRef => "storage",
        TorchTensorRef => "tensor",
        _ => v.GetType().Name,
    };

    private static string Describe(object? v) => v is object?[] t
        ? "(" + string.Join(", ", t.Select(TypeName)) + ")"
        : TypeName(v);
}
