using System.IO.Compression;
using System.Runtime.InteropServices;
using MatteKit.Weights;

namespace MatteKit.Tests.TestSupport;

/// <summary>
/// Test-only writer of PyTorch zip checkpoints as <c>torch.save(state_dict)</c> lays them out:
/// <c>&lt;top&gt;/data.pkl</c> (a protocol-2 pickle of an OrderedDict of <c>_rebuild_tensor_v2</c> tensors),
/// <c>&lt;top&gt;/data/&lt;key&gt;</c> (little-endian storage bytes) and <c>&lt;top&gt;/version</c>.
/// It can leave keys out and damage storages so that tests can make broken files.
/// </summary>
internal sealed class PthWriter
{
    private readonly List<(string Name, string StorageClass, string Key, long Offset, long[] Size, long[] Stride)> _tensors = new();
    private readonly Dictionary<string, (byte[] Bytes, long NumElements)> _storages = new(StringComparer.Ordinal);
    private readonly HashSet<string> _omitted = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _storageLengths = new(StringComparer.Ordinal);

    /// <summary>The folder all entries live under (torch uses the file name without extension; any name works).</summary>
    public string TopFolder { get; set; } = "archive";

    /// <summary>True: <c>collections.OrderedDict</c> as torch's state_dict(); false: a plain dict.</summary>
    public bool UseOrderedDict { get; set; } = true;

    /// <summary>Adds the BUILD with <c>{'_metadata': OrderedDict()}</c> that a real state_dict carries.</summary>
    public bool WriteMetadata { get; set; } = true;

    /// <summary>Wraps every tensor in <c>torch._utils._rebuild_parameter</c>, as for pickled nn.Parameters.</summary>
    public bool AsParameters { get; set; }

    /// <summary>Writes the optional <c>&lt;top&gt;/byteorder</c> entry with this text ("little"/"big") when set.</summary>
    public string? ByteOrder { get; set; }

    /// <summary>Adds a contiguous float32 tensor.</summary>
    public PthWriter Add(string name, int[] shape, float[] data) =>
        AddStorageView(name, "FloatStorage", MemoryMarshal.AsBytes(data.AsSpan()).ToArray(), data.Length,
            0, shape.Select(d => (long)d).ToArray(), null);

    /// <summary>Adds a contiguous int64 tensor (e.g. <c>num_batches_tracked</c>, shape []).</summary>
    public PthWriter AddInt64(string name, int[] shape, long[] data) =>
        AddStorageView(name, "LongStorage", MemoryMarshal.AsBytes(data.AsSpan()).ToArray(), data.Length,
            0, shape.Select(d => (long)d).ToArray(), null);

    /// <summary>Adds all tensors of <paramref name="tensors"/> as float32.</summary>
    public PthWriter AddAll(IEnumerable<WeightTensor> tensors)
    {
        foreach (var t in tensors) Add(t.Name, t.Shape, t.Data);
        return this;
    }

    /// <summary>
    /// Adds a tensor that views <paramref name="storage"/> (raw little-endian bytes of the torch storage class
    /// <paramref name="storageClass"/>, e.g. "HalfStorage") at <paramref name="offset"/> with
    /// <paramref name="stride"/> (contiguous when null). Tensors given the same <paramref name="storageKey"/>
    /// share one storage entry (the first one's bytes).
    /// </summary>
    public PthWriter AddStorageView(string name, string storageClass, byte[] storage, long numElements,
        long offset, long[] size, long[]? stride, string? storageKey = null)
    {
        stride ??= ContiguousStrides(size);
        var key = storageKey ?? _storages.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        while (storageKey == null && _storages.ContainsKey(key)) key += "x";
        _storages.TryAdd(key, (storage, numElements));
        _tensors.Add((name, storageClass, key, offset, size, stride));
        return this;
    }

    /// <summary>Leaves these tensors out of the file written.</summary>
    public PthWriter Omit(params string[] names)
    {
        _omitted.UnionWith(names);
        return this;
    }

    /// <summary>Writes only the first <paramref name="bytes"/> bytes of the storage of tensor <paramref name="name"/>.</summary>
    public PthWriter TruncateStorage(string name, int bytes)
    {
        _storageLengths[_tensors.Single(t => t.Name == name).Key] = bytes;
        return this;
    }

    /// <summary>The data.pkl bytes.</summary>
    public byte[] BuildPickle()
    {
        var p = new PickleBuilder().Proto(2);
        if (UseOrderedDict) p.Global("collections", "OrderedDict").EmptyTuple().Reduce();
        else p.EmptyDict();
        var items = _tensors.Where(t => !_omitted.Contains(t.Name)).ToList();
        if (items.Count > 0)
        {
            p.Mark();
            foreach (var t in items)
            {
                p.String(t.Name);
                if (AsParameters) p.Global("torch._utils", "_rebuild_parameter");
                p.Global("torch._utils", "_rebuild_tensor_v2");
                p.Mark();
                p.Mark().String("storage").Global("torch", t.StorageClass).String(t.Key).String("cpu")
                    .Int(_storages[t.Key].NumElements).Tuple().BinPersId();
                p.Int(t.Offset).IntTuple(t.Size).IntTuple(t.Stride).Bool(false);
                p.Global("collections", "OrderedDict").EmptyTuple().Reduce();
                p.Tuple().Reduce();
                if (AsParameters)
                {
                    p.Bool(true).Global("collections", "OrderedDict").EmptyTuple().Reduce();
                    p.Tuple3().Reduce();
                }
            }
            p.SetItems();
        }
        if (UseOrderedDict && WriteMetadata)
        {
            p.EmptyDict().String("_metadata").Global("collections", "OrderedDict").EmptyTuple().Reduce()
                .SetItem().Build();
        }
        return p.Stop().ToArray();
    }

    /// <summary>The whole .pth file.</summary>
    public byte[] ToBytes()
    {
        var entries = new List<(string, byte[])> { (TopFolder + "/data.pkl", BuildPickle()) };
        if (ByteOrder != null) entries.Add((TopFolder + "/byteorder", System.Text.Encoding.ASCII.GetBytes(ByteOrder)));
        var used = _tensors.Where(t => !_omitted.Contains(t.Name)).Select(t => t.Key).ToHashSet();
        foreach (var (key, (bytes, _)) in _storages)
        {
            if (!used.Contains(key)) continue;
            var data = _storageLengths.TryGetValue(key, out var n) ? bytes[..n] : bytes;
            entries.Add((TopFolder + "/data/" + key, data));
        }
        entries.Add((TopFolder + "/version", "3\n"u8.ToArray()));
        return Zip(entries);
    }

    public void Write(string path) => File.WriteAllBytes(path, ToBytes());

    /// <summary>Writes <paramref name="tensors"/> as a float32 state_dict, leaving out <paramref name="omitKeys"/>.</summary>
    public static void Write(string path, IEnumerable<WeightTensor> tensors, params string[] omitKeys) =>
        new PthWriter().AddAll(tensors).Omit(omitKeys).Write(path);

    /// <summary>A zip of the given entries, stored uncompressed as torch writes them.</summary>
    public static byte[] Zip(IEnumerable<(string Name, byte[] Data)> entries)
    {
        var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, data) in entries)
            {
                using var s = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
                s.Write(data);
            }
        }
        return ms.ToArray();
    }

    private static long[] ContiguousStrides(long[] size)
    {
        var stride = new long[size.Length];
        long s = 1;
        for (var d = size.Length - 1; d >= 0; d--)
        {
            stride[d] = s;
            s *= size[d];
        }
        return stride;
    }
}
