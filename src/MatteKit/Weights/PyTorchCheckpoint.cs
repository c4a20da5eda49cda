using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;

namespace MatteKit.Weights;

/// <summary>
/// Reads a PyTorch <c>state_dict</c> saved with <c>torch.save</c> in the zip format (torch 1.6 and later) into a
/// <see cref="WeightSet"/>. Nothing in the file is executed: <c>data.pkl</c> is read by a restricted unpickler
/// that accepts only what a dict of tensors needs. float32 tensors are kept; float16, bfloat16, float64,
/// int64 and int32 tensors are converted to float32. Every problem is a one-line
/// <see cref="WeightsFormatException"/> naming the file (and the tensor, where there is one).
/// </summary>
internal static class PyTorchCheckpoint
{
    // torch.save before 1.6 wrote pickles, the first being this magic number as a protocol-2 LONG1.
    private static readonly byte[] LegacyMagic = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

    /// <summary>Reads the state_dict in the file <paramref name="path"/>.</summary>
    public static WeightSet Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
            throw new WeightsFormatException(path, "is a directory, not a PyTorch checkpoint file");
        if (!File.Exists(path))
            throw new WeightsFormatException(path, "file not found");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Read(stream, path);
    }

    /// <summary>
    /// Reads the state_dict in <paramref name="stream"/>; <paramref name="sourceName"/> names it in errors and
    /// becomes <see cref="WeightSet.Source"/>. A stream that cannot seek is first copied into memory.
    /// </summary>
    public static WeightSet Read(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        if (!stream.CanSeek)
        {
            var copy = new MemoryStream();
            stream.CopyTo(copy);
            copy.Position = 0;
            stream = copy;
        }

        CheckHeader(stream, sourceName);

        ZipArchive zip;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new WeightsFormatException(sourceName,
                $"the zip archive is truncated or corrupt ({OneLine(e.Message)})", e);
        }

        using (zip)
            return ReadArchive(zip, sourceName);
    }

    private static void CheckHeader(Stream stream, string file)
    {
        var start = stream.Position;
        var head = new byte[LegacyMagic.Length];
        var n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        stream.Position = start;

        if (n == 0)
            throw new WeightsFormatException(file, "the file is empty, not a PyTorch checkpoint");
        if (n >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] is 3 or 5 && head[3] is 4 or 6)
            return;
        if (head.AsSpan(0, n).SequenceEqual(LegacyMagic) || (n >= 2 && head[0] == 0x80 && head[1] <= 5))
            throw new WeightsFormatException(file,
                "is in the legacy (pre-1.6, non-zip) torch.save format, which is not supported; " +
                "re-save it with torch >= 1.6: torch.save(torch.load(old_path), new_path)");
        throw new WeightsFormatException(file,
            $"not a PyTorch checkpoint: not a zip archive (it starts with {Preview(head.AsSpan(0, n))})");
    }

    private static WeightSet ReadArchive(ZipArchive zip, string file)
    {
        var entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        try
        {
            foreach (var e in zip.Entries)
                entries.TryAdd(e.FullName, e);
        }
        catch (InvalidDataException e)
        {
            throw new WeightsFormatException(file, $"the zip archive is truncated or corrupt ({OneLine(e.Message)})", e);
        }

        // The records live under one top folder of any name: <top>/data.pkl, <top>/data/<key>, <top>/version.
        var pickles = entries.Keys
            .Where(k => k == "data.pkl" || (k.EndsWith("/data.pkl", StringComparison.Ordinal) && k.IndexOf('/') == k.Length - "/data.pkl".Length))
            .ToList();
        if (pickles.Count == 0)
        {
            var shown = string.Join(", ", entries.Keys.Take(5)) + (entries.Count > 5 ? ", ..." : "");
            throw new WeightsFormatException(file,
                $"no data.pkl in the zip archive, so it is not a PyTorch checkpoint (entries: {(entries.Count == 0 ? "none" : shown)})");
        }
        if (pickles.Count > 1)
            throw new WeightsFormatException(file,
                $"the zip archive holds {pickles.Count} data.pkl records ({string.Join(", ", pickles)}); expected one");
        var prefix = pickles[0][..^"data.pkl".Length];

        if (entries.TryGetValue(prefix + "byteorder", out var byteOrderEntry))
        {
            var order = Encoding.ASCII.GetString(ReadEntry(byteOrderEntry, file)).Trim();
            if (order == "big")
                throw new WeightsFormatException(file,
                    "the checkpoint was saved big-endian (byteorder 'big'), which is not supported; re-save it on a little-endian machine");
            if (order != "little")
                throw new WeightsFormatException(file, $"unknown byteorder '{Truncate(order, 40)}' in {prefix}byteorder");
        }

        var isTorchScript = entries.Keys.Any(k => k.StartsWith(prefix + "code/", StringComparison.Ordinal));
        object? root;
        try
        {
            root = RestrictedUnpickler.Load(ReadEntry(entries[pickles[0]], file), file);
        }
        catch (WeightsFormatException e) when (isTorchScript)
        {
            throw new WeightsFormatException(file,
                $"{e.Problem} (this is a TorchScript archive from torch.jit.save, not a torch.save state_dict)", e);
        }

        if (root is not PickleDict dict)
            throw new WeightsFormatException(file,
                $"the pickled object is a {RestrictedUnpickler.TypeName(root)}, not a state_dict (a dict of tensors)");

        var refs = new List<(string Name, TorchTensorRef Tensor)>(dict.Count);
        foreach (var (key, value) in dict.Items)
        {
            if (key is not string name)
                throw new WeightsFormatException(file,
                    $"the pickled dict has a key of type {RestrictedUnpickler.TypeName(key)}, not a tensor name; expected a state_dict (a dict of tensors)");
            if (value is not TorchTensorRef t)
                throw new WeightsFormatException(file,
                    $"entry '{name}' of the pickled dict is a {RestrictedUnpickler.TypeName(value)}, not a tensor; expected a state_dict (a dict of tensors)");
            refs.Add((name, t));
        }

        // Before anything is inflated: how much of each storage the tensors use, and the total they hold. Only
        // those bytes are read, so a small file whose entries inflate to gigabytes costs nothing.
        var needed = new Dictionary<string, long>(StringComparer.Ordinal);
        long values = 0;
        foreach (var (name, t) in refs)
        {
            long count = CheckView(name, t, file, out long end);
            values += count;
            if (values > MaxTotalValues)
                throw new WeightsFormatException(file, $"the tensors hold more than {MaxTotalValues} values in all (at '{name}'); far more than any RVM model, so the file is refused");
            if (count > 0) needed[t.Storage.Key] = Math.Max(needed.GetValueOrDefault(t.Storage.Key), end * t.Storage.DType.Size);
        }

        var storages = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var tensors = new List<WeightTensor>(refs.Count);
        foreach (var (name, t) in refs)
            tensors.Add(ToWeightTensor(name, t, prefix, entries, storages, needed, file));
        return new WeightSet(file, tensors);
    }

    /// <summary>Most values a checkpoint may hold (1 GiB of float32): about ten times RVM ResNet50.</summary>
    internal const long MaxTotalValues = 1L << 28;

    /// <summary>Checks a tensor's shape, strides and storage; returns its element count and the storage elements it needs.</summary>
    private static long CheckView(string name, TorchTensorRef t, string file, out long end)
    {
        var dtype = t.Storage.DType;
        if (!dtype.IsConvertible)
            throw new WeightsFormatException(file, $"tensor '{name}' has dtype {dtype.Name}, which cannot be used as weights (float32, float16, bfloat16, float64, int64 and int32 can)");
        long count = 1;
        for (var d = 0; d < t.Size.Length; d++)
        {
            if (t.Size[d] < 0 || t.Size[d] > int.MaxValue || t.Stride[d] < 0)
                throw new WeightsFormatException(file, $"tensor '{name}' has an invalid size or stride ({Shape(t.Size)} / {Shape(t.Stride)})");
            count *= t.Size[d];
            if (count > Array.MaxLength)
                throw new WeightsFormatException(file, $"tensor '{name}' of shape {Shape(t.Size)} is too large to read");
        }
        if (t.StorageOffset < 0)
            throw new WeightsFormatException(file, $"tensor '{name}' has a negative storage offset {t.StorageOffset}");
        end = 0;
        if (count == 0) return 0;
        try
        {
            end = t.StorageOffset + 1;
            for (var d = 0; d < t.Size.Length; d++) end = checked(end + (t.Size[d] - 1) * t.Stride[d]);
        }
        catch (OverflowException)
        {
            throw new WeightsFormatException(file, $"tensor '{name}' has sizes and strides that overflow ({Shape(t.Size)} / {Shape(t.Stride)})");
        }
        if (end > t.Storage.NumElements)
            throw new WeightsFormatException(file,
                $"tensor '{name}' of shape {Shape(t.Size)} (storage offset {t.StorageOffset}) needs {end} elements of storage '{t.Storage.Key}', which declares {t.Storage.NumElements}");
        return count;
    }

    private static WeightTensor ToWeightTensor(string name, TorchTensorRef t, string prefix,
        Dictionary<string, ZipArchiveEntry> entries, Dictionary<string, byte[]> storages, Dictionary<string, long> storageBytes, string file)
    {
        var dtype = t.Storage.DType;
        long count = CheckView(name, t, file, out long end);
        var shape = t.Size.Select(d => (int)d).ToArray();
        if (count == 0)
            return new WeightTensor(name, shape, []);
        long lastIndex = end - 1;

        var entryName = prefix + "data/" + t.Storage.Key;
        if (!storages.TryGetValue(t.Storage.Key, out var bytes))
        {
            if (!entries.TryGetValue(entryName, out var entry))
                throw new WeightsFormatException(file, $"tensor '{name}': its storage entry '{entryName}' is missing from the zip archive");
            long declared = t.Storage.NumElements * dtype.Size;
            if (entry.Length < end * dtype.Size)
                throw new WeightsFormatException(file,
                    $"tensor '{name}' of shape {Shape(t.Size)} ({dtype.Name}, storage offset {t.StorageOffset}) needs {end * dtype.Size} bytes of storage '{entryName}', which holds only {entry.Length} (truncated or corrupt file)");
            if (entry.Length != declared)
                throw new WeightsFormatException(file,
                    $"zip entry '{entryName}' inflates to {entry.Length} bytes, but its storage declares {t.Storage.NumElements} {dtype.Name} elements ({declared} bytes); the file is corrupt or crafted");
            bytes = ReadEntry(entry, file, storageBytes[t.Storage.Key]);
            storages[t.Storage.Key] = bytes;
        }

        var needed = (double)(lastIndex + 1) * dtype.Size;
        if (needed > bytes.Length)
            throw new WeightsFormatException(file,
                $"tensor '{name}' of shape {Shape(t.Size)} ({dtype.Name}, storage offset {t.StorageOffset}) needs {needed:0} bytes of storage '{entryName}', which holds only {bytes.Length} (truncated or corrupt file)");

        var data = new float[count];
        Copy(t, dtype, bytes, data);
        return new WeightTensor(name, shape, data);
    }

    private static void Copy(TorchTensorRef t, TorchDType dtype, byte[] bytes, float[] data)
    {
        var rank = t.Size.Length;
        var size = dtype.Size;

        // Contiguous (row-major) views are one run of elements.
        var contiguous = true;
        long expected = 1;
        for (var d = rank - 1; d >= 0; d--)
        {
            if (t.Size[d] != 1 && t.Stride[d] != expected) { contiguous = false; break; }
            expected *= t.Size[d];
        }
        if (contiguous)
        {
            var src = bytes.AsSpan((int)(t.StorageOffset * size), data.Length * size);
            if (ReferenceEquals(dtype, TorchDType.Float32) && BitConverter.IsLittleEndian)
            {
                MemoryMarshal.Cast<byte, float>(src).CopyTo(data);
                return;
            }
            for (var i = 0; i < data.Length; i++) data[i] = dtype.ToFloat(src.Slice(i * size, size));
            return;
        }

        // Any other view: walk the output in row-major order, carrying the storage index like an odometer.
        var counter = new long[rank];
        var index = t.StorageOffset;
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = dtype.ToFloat(bytes.AsSpan((int)(index * size), size));
            for (var d = rank - 1; d >= 0; d--)
            {
                if (++counter[d] < t.Size[d]) { index += t.Stride[d]; break; }
                index -= (t.Size[d] - 1) * t.Stride[d];
                counter[d] = 0;
            }
        }
    }

    /// <summary>Largest data.pkl or byteorder record read whole (a state_dict's pickle is kilobytes).</summary>
    private const long MaxRecordBytes = 64L << 20;

    /// <summary>
    /// The first <paramref name="length"/> bytes of the entry; null = the whole entry, which must be a small
    /// record (<see cref="MaxRecordBytes"/>). Nothing beyond is inflated.
    /// </summary>
    private static byte[] ReadEntry(ZipArchiveEntry entry, string file, long? length = null)
    {
        long size = length ?? entry.Length;
        if (length is null && entry.Length > MaxRecordBytes)
            throw new WeightsFormatException(file, $"zip entry '{entry.FullName}' is {entry.Length} bytes, far larger than a state_dict's record (at most {MaxRecordBytes >> 20} MiB)");
        if (size > Array.MaxLength)
            throw new WeightsFormatException(file, $"zip entry '{entry.FullName}' is too large ({entry.Length} bytes)");
        try
        {
            using var s = entry.Open();
            var buffer = new byte[size];
            var n = s.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            if (n < buffer.Length)
                throw new WeightsFormatException(file, $"zip entry '{entry.FullName}' ends after {n} of its {buffer.Length} bytes (truncated or corrupt file)");
            return buffer;
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw new WeightsFormatException(file, $"zip entry '{entry.FullName}' cannot be read, the file is truncated or corrupt ({OneLine(e.Message)})", e);
        }
    }

    private static string Shape(long[] v) => "[" + string.Join(", ", v) + "]";

    private static string OneLine(string s) => Truncate(s.ReplaceLineEndings(" ").Trim(), 200);

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max] + "...";

    private static string Preview(ReadOnlySpan<byte> head)
    {
        var printable = true;
        foreach (var b in head) printable &= b is >= 0x20 and < 0x7f or (byte)'\t' or (byte)'\n' or (byte)'\r';
        if (printable)
            return "\"" + Encoding.ASCII.GetString(head).ReplaceLineEndings(" ") + "\"";
        return "bytes " + Convert.ToHexString(head.Length > 8 ? head[..8] : head);
    }
}
