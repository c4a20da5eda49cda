using System.Buffers.Binary;
using System.Text.Json;

namespace MatteKit.Weights;

/// <summary>
/// Reads the official RVM MobileNetV3 TensorFlow.js graph model (<c>model.json</c> + weight shards, uint8-quantized)
/// into a <see cref="WeightSet"/> under the official PyTorch key names and layouts, so that the network consumes
/// TF.js and .pth weights the same way.
/// </summary>
/// <remarks>
/// Values are dequantized exactly as tfjs-core does (<c>float32(q * scale + min)</c>, computed in double), so they
/// are bit-identical to what TF.js loads. Every problem is a <see cref="WeightsFormatException"/> with a one-line
/// message naming the model file and, where there is one, the tensor.
/// </remarks>
internal static class TfjsGraphModel
{
    private const string EmbeddedPrefix = "MatteKit.Models.rvm_mobilenetv3.";
    private const string EmbeddedModelJson = EmbeddedPrefix + "model.json";

    /// <summary>Reads <paramref name="modelJsonPath"/>; its shards are looked up beside it.</summary>
    public static WeightSet Read(string modelJsonPath)
    {
        ArgumentNullException.ThrowIfNull(modelJsonPath);
        string path = Path.GetFullPath(modelJsonPath);
        string dir = Media.ParentFolder.Of(path);
        if (Directory.Exists(path))
            throw new WeightsFormatException(path, "is a folder, expected the model.json file");
        byte[] json;
        try
        {
            // Only a regular file, and no more of it than a model.json may have.
            json = Media.InputFile.ReadAllBytes(path, TfjsGraph.MaxModelJsonBytes, "a TF.js model.json");
        }
        catch (MediaFormatException e)
        {
            throw new WeightsFormatException(path, e.Problem, e);
        }

        using var stream = new MemoryStream(json, writable: false);
        return Read(stream, shard => OpenShard(dir, shard, path), path);
    }

    /// <summary>
    /// A shard named in the manifest, opened only when it is a plain file inside the model's folder (after
    /// following links): a manifest must not make MatteKit read <c>/etc/passwd</c>, <c>/dev/zero</c> or a FIFO.
    /// </summary>
    private static Stream? OpenShard(string modelDir, string shard, string source)
    {
        if (Path.IsPathRooted(shard) || shard.Contains('\\'))
            throw Fail(source, $"weights shard '{shard}' is not a file name inside the model's folder");
        string folder = Media.FileIdentity.Resolve(modelDir);
        string candidate = Path.GetFullPath(Path.Combine(modelDir, shard));
        if (!File.Exists(candidate) && !Directory.Exists(candidate)) return null;
        string resolved = Media.FileIdentity.Resolve(candidate);
        if (!Media.FileIdentity.IsSameOrInside(resolved, folder))
            throw Fail(source, $"weights shard '{shard}' lies outside the model's folder {folder}; shards must be files beside model.json");
        if (Media.FileIdentity.Of(resolved) is { Kind: not Media.FileKind.Regular } other)
            throw Fail(source, $"weights shard '{shard}' is a {other.Kind.ToString().ToLowerInvariant()}, not a plain file");
        return File.OpenRead(resolved);
    }

    /// <summary>
    /// Reads a model.json from <paramref name="modelJson"/> (left open). <paramref name="openShard"/> opens a shard
    /// by its name in <c>weightsManifest[*].paths</c> and returns null when there is no such shard; the streams it
    /// returns are disposed here. <paramref name="sourceName"/> names the model in messages and in
    /// <see cref="WeightSet.Source"/>.
    /// </summary>
    public static WeightSet Read(Stream modelJson, Func<string, Stream?> openShard, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(modelJson);
        ArgumentNullException.ThrowIfNull(openShard);
        ArgumentNullException.ThrowIfNull(sourceName);
        var tensors = ReadTensors(modelJson, openShard, sourceName);
        return new WeightSet(sourceName, TfjsRvmKeyMap.Map(tensors, sourceName));
    }

    /// <summary>Reads the default model embedded in this assembly (RVM MobileNetV3, fast guided filter).</summary>
    public static WeightSet ReadEmbeddedDefault()
    {
        var assembly = typeof(TfjsGraphModel).Assembly;
        const string source = "embedded:" + EmbeddedModelJson;
        using var json = assembly.GetManifestResourceStream(EmbeddedModelJson)
            ?? throw new WeightsFormatException(source, "the embedded model is missing from the assembly");
        return Read(json, shard => assembly.GetManifestResourceStream(EmbeddedPrefix + shard), source);
    }

    /// <summary>All tensors of the weights manifest by full TF.js name, float32 ones dequantized.</summary>
    internal static Dictionary<string, TfjsTensor> ReadTensors(Stream modelJson, Func<string, Stream?> openShard, string source)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(modelJson, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            // Not e.Message: it quotes the offending text, which for a binary file is binary.
            string at = e.LineNumber is { } line ? $" at line {line + 1}, byte {e.BytePositionInLine + 1}" : "";
            throw new WeightsFormatException(source, $"not a JSON file (invalid JSON{at})", e);
        }
        catch (ArgumentException e)
        {
            throw new WeightsFormatException(source, "not a JSON file (not UTF-8 text)", e);
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw Fail(source, "not a TF.js graph model (the JSON is not an object)");
            if (root.TryGetProperty("format", out var format) && format.ValueKind == JsonValueKind.String
                && format.GetString() is { } f && f != "graph-model")
                throw Fail(source, $"not a TF.js graph model (format is '{f}')");
            if (!root.TryGetProperty("modelTopology", out _))
                throw Fail(source, "not a TF.js graph model (no 'modelTopology')");
            if (!root.TryGetProperty("weightsManifest", out var manifest))
                throw Fail(source, "not a TF.js graph model (no 'weightsManifest')");
            if (manifest.ValueKind != JsonValueKind.Array)
                throw Fail(source, "'weightsManifest' is not a list");

            var tensors = new Dictionary<string, TfjsTensor>(StringComparer.Ordinal);
            int g = 0;
            foreach (var group in manifest.EnumerateArray())
            {
                ReadGroup(group, $"weightsManifest[{g}]", openShard, source, tensors);
                g++;
            }
            return tensors;
        }
    }

    private static void ReadGroup(JsonElement group, string where, Func<string, Stream?> openShard, string source,
        Dictionary<string, TfjsTensor> tensors)
    {
        if (group.ValueKind != JsonValueKind.Object)
            throw Fail(source, $"{where} is not an object");
        if (!group.TryGetProperty("paths", out var pathsEl) || pathsEl.ValueKind != JsonValueKind.Array)
            throw Fail(source, $"{where} has no 'paths' list");
        if (!group.TryGetProperty("weights", out var weightsEl) || weightsEl.ValueKind != JsonValueKind.Array)
            throw Fail(source, $"{where} has no 'weights' list");

        var paths = new List<string>();
        foreach (var p in pathsEl.EnumerateArray())
        {
            if (p.ValueKind != JsonValueKind.String || p.GetString() is not { Length: > 0 } path)
                throw Fail(source, $"{where}.paths holds something that is not a file name");
            paths.Add(path);
        }

        long expected = ExpectedBytes(weightsEl, where, source);
        byte[] bytes = ReadShards(paths, where, openShard, source, expected);
        string shardText = ShardText(paths);

        long offset = 0;
        int i = 0;
        foreach (var w in weightsEl.EnumerateArray())
        {
            var spec = ParseSpec(w, $"{where}.weights[{i}]", source);
            long start = offset;
            float[]? data = null;
            int[]? ints = null;
            if (spec.Quantization is { } q)
            {
                int size = q.Dtype switch
                {
                    "uint8" => 1,
                    "uint16" or "float16" => 2,
                    _ => throw Fail(source, $"tensor '{spec.Name}' has unsupported quantization dtype '{q.Dtype}'"),
                };
                long end = checked(start + spec.Count * size);
                CheckLength(bytes, spec.Name, start, end, shardText, source);
                if (spec.Dtype == "float32")
                    data = Dequantize(bytes.AsSpan((int)start, (int)(end - start)), spec, q, source);
                else if (spec.Dtype is not ("int32" or "bool"))
                    throw Fail(source, $"tensor '{spec.Name}' has unsupported dtype '{spec.Dtype}'");
                offset = end;
            }
            else if (spec.Dtype == "string")
            {
                // Each string: uint32 little-endian byte length, then the bytes.
                for (long k = 0; k < spec.Count; k++)
                {
                    CheckLength(bytes, spec.Name, offset, offset + 4, shardText, source);
                    uint len = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan((int)offset, 4));
                    offset = checked(offset + 4 + len);
                    CheckLength(bytes, spec.Name, start, offset, shardText, source);
                }
            }
            else
            {
                int size = spec.Dtype switch
                {
                    "float32" or "int32" => 4,
                    "bool" => 1,
                    "complex64" => 8,
                    _ => throw Fail(source, $"tensor '{spec.Name}' has unsupported dtype '{spec.Dtype}'"),
                };
                long end = checked(start + spec.Count * size);
                CheckLength(bytes, spec.Name, start, end, shardText, source);
                if (spec.Dtype == "float32")
                {
                    data = new float[spec.Count];
                    var src = bytes.AsSpan((int)start, (int)(end - start));
                    for (int k = 0; k < data.Length; k++)
                        data[k] = BinaryPrimitives.ReadSingleLittleEndian(src.Slice(k * 4, 4));
                }
                else if (spec.Dtype == "int32")
                {
                    ints = new int[spec.Count];
                    var src = bytes.AsSpan((int)start, (int)(end - start));
                    for (int k = 0; k < ints.Length; k++)
                        ints[k] = BinaryPrimitives.ReadInt32LittleEndian(src.Slice(k * 4, 4));
                }
                offset = end;
            }

            if (!tensors.TryAdd(spec.Name, new TfjsTensor(spec.Name, spec.Shape, spec.Dtype, data, ints)))
                throw Fail(source, $"tensor '{spec.Name}' appears twice in the weights manifest");
            i++;
        }

        if (offset != bytes.Length)
            throw Fail(source, $"{shardText} holds {bytes.Length} bytes but {where} describes {offset}; shard and model.json do not belong together");
    }

    /// <summary>Largest weights group read: far above any RVM model (ResNet50 in float32 is about 110 MB).</summary>
    internal const long MaxGroupBytes = 1L << 30;

    /// <summary>
    /// The bytes a group's weights occupy, from the manifest alone; -1 when it holds strings, whose length only
    /// the data says. Shards must add up to exactly this, so a shard that does not belong is refused unread.
    /// </summary>
    private static long ExpectedBytes(JsonElement weightsEl, string where, string source)
    {
        long total = 0;
        int i = 0;
        foreach (var w in weightsEl.EnumerateArray())
        {
            var spec = ParseSpec(w, $"{where}.weights[{i++}]", source);
            if (spec.Quantization is null && spec.Dtype == "string") return -1;
            int size = spec.Quantization is { } q
                ? q.Dtype switch
                {
                    "uint8" => 1,
                    "uint16" or "float16" => 2,
                    _ => throw Fail(source, $"tensor '{spec.Name}' has unsupported quantization dtype '{q.Dtype}'"),
                }
                : spec.Dtype switch
                {
                    "float32" or "int32" => 4,
                    "bool" => 1,
                    "complex64" => 8,
                    _ => throw Fail(source, $"tensor '{spec.Name}' has unsupported dtype '{spec.Dtype}'"),
                };
            if (spec.Quantization is not null && spec.Dtype is not ("float32" or "int32" or "bool"))
                throw Fail(source, $"tensor '{spec.Name}' has unsupported dtype '{spec.Dtype}'");
            total = checked(total + (long)spec.Count * size);
        }
        return total;
    }

    private static byte[] ReadShards(List<string> paths, string where, Func<string, Stream?> openShard, string source, long expected)
    {
        var streams = new List<(string Name, Stream Stream)>();
        try
        {
            foreach (var p in paths)
            {
                Stream? s;
                try
                {
                    s = openShard(p);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new WeightsFormatException(source, $"cannot open weights shard '{p}': {OneLine(e.Message)}", e);
                }
                if (s is null)
                    throw Fail(source, $"weights shard '{p}' (listed in {where}.paths) was not found");
                streams.Add((p, s));
            }
            string shardText = ShardText(paths);
            long available = streams.All(s => s.Stream.CanSeek) ? streams.Sum(s => s.Stream.Length - s.Stream.Position) : -1;
            if (expected >= 0 && available > expected)
                throw Fail(source, $"{shardText} holds {available} bytes but {where} describes {expected}; shard and model.json do not belong together");
            long size = expected >= 0 ? expected : available;
            if (size < 0 || size > MaxGroupBytes)
                throw Fail(source, size < 0
                    ? $"{shardText}: the size of string tensors cannot be checked on a stream that cannot seek"
                    : $"{shardText} would hold {size} bytes, above the {MaxGroupBytes >> 20} MiB MatteKit reads for one weights group");
            var bytes = new byte[size];
            int offset = 0;
            foreach (var (name, stream) in streams)
            {
                try
                {
                    // Only what the manifest describes is read; a stream that goes on is caught below.
                    int got = stream.ReadAtLeast(bytes.AsSpan(offset), bytes.Length - offset, throwOnEndOfStream: false);
                    offset += got;
                }
                catch (IOException e)
                {
                    throw new WeightsFormatException(source, $"cannot read weights shard '{name}': {OneLine(e.Message)}", e);
                }
            }
            // Shorter than described: the first tensor that does not fit reports it, by name.
            if (offset < bytes.Length) return bytes[..offset];
            if (streams[^1].Stream.ReadByte() >= 0)
                throw Fail(source, $"{shardText} holds more bytes than {where} describes ({bytes.Length}); shard and model.json do not belong together");
            return bytes;
        }
        finally
        {
            foreach (var (_, stream) in streams) stream.Dispose();
        }
    }

    private static string ShardText(List<string> paths)
        => paths.Count == 1 ? $"weights shard '{paths[0]}'" : $"weights shards '{string.Join("', '", paths)}'";

    private static void CheckLength(byte[] bytes, string tensor, long start, long end, string shardText, string source)
    {
        if (end > bytes.Length)
            throw Fail(source,
                $"{shardText} is truncated: it holds {bytes.Length} bytes, tensor '{tensor}' needs bytes {start} to {end}");
    }

    private static float[] Dequantize(ReadOnlySpan<byte> src, Spec spec, Quant q, string source)
    {
        var data = new float[spec.Count];
        switch (q.Dtype)
        {
            case "uint8":
            {
                double scale = q.Scale ?? throw Fail(source, $"tensor '{spec.Name}': quantization has no 'scale'");
                double min = q.Min ?? throw Fail(source, $"tensor '{spec.Name}': quantization has no 'min'");
                for (int k = 0; k < data.Length; k++)
                    data[k] = (float)(src[k] * scale + min); // as tfjs-core: double arithmetic, stored as float32
                break;
            }
            case "uint16":
            {
                double scale = q.Scale ?? throw Fail(source, $"tensor '{spec.Name}': quantization has no 'scale'");
                double min = q.Min ?? throw Fail(source, $"tensor '{spec.Name}': quantization has no 'min'");
                for (int k = 0; k < data.Length; k++)
                    data[k] = (float)(BinaryPrimitives.ReadUInt16LittleEndian(src.Slice(k * 2, 2)) * scale + min);
                break;
            }
            default: // float16
                for (int k = 0; k < data.Length; k++)
                    data[k] = (float)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(src.Slice(k * 2, 2)));
                break;
        }
        return data;
    }

    private readonly record struct Quant(string Dtype, double? Min, double? Scale);

    private readonly record struct Spec(string Name, int[] Shape, int Count, string Dtype, Quant? Quantization);

    private static Spec ParseSpec(JsonElement w, string where, string source)
    {
        if (w.ValueKind != JsonValueKind.Object)
            throw Fail(source, $"{where} is not an object");
        if (!w.TryGetProperty("name", out var nameEl) || nameEl.ValueKind != JsonValueKind.String || nameEl.GetString() is not { } name)
            throw Fail(source, $"{where} has no 'name'");
        if (!w.TryGetProperty("shape", out var shapeEl) || shapeEl.ValueKind != JsonValueKind.Array)
            throw Fail(source, $"tensor '{name}' has no 'shape' list");
        var shape = new int[shapeEl.GetArrayLength()];
        long count = 1;
        int d = 0;
        foreach (var s in shapeEl.EnumerateArray())
        {
            if (s.ValueKind != JsonValueKind.Number || !s.TryGetInt32(out int dim) || dim < 0)
                throw Fail(source, $"tensor '{name}' has an invalid shape");
            shape[d++] = dim;
            count *= dim;
            if (count > Array.MaxLength)
                throw Fail(source, $"tensor '{name}' is too large");
        }
        if (!w.TryGetProperty("dtype", out var dtypeEl) || dtypeEl.ValueKind != JsonValueKind.String || dtypeEl.GetString() is not { } dtype)
            throw Fail(source, $"tensor '{name}' has no 'dtype'");

        Quant? quant = null;
        if (w.TryGetProperty("quantization", out var qEl) && qEl.ValueKind != JsonValueKind.Null)
        {
            if (qEl.ValueKind != JsonValueKind.Object
                || !qEl.TryGetProperty("dtype", out var qd) || qd.ValueKind != JsonValueKind.String || qd.GetString() is not { } quantDtype)
                throw Fail(source, $"tensor '{name}' has a 'quantization' without 'dtype'");
            quant = new Quant(quantDtype, Number(qEl, "min"), Number(qEl, "scale"));
        }
        return new Spec(name, shape, (int)count, dtype, quant);
    }

    private static double? Number(JsonElement obj, string property) =>
        obj.TryGetProperty(property, out var el) && el.ValueKind == JsonValueKind.Number ? el.GetDouble() : null;

    private static WeightsFormatException Fail(string source, string problem) => new(source, problem);

    private static string OneLine(string s) => s.ReplaceLineEndings(" ");
}
