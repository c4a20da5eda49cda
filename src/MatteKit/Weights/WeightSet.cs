using System.Diagnostics.CodeAnalysis;
using MatteKit.Weights;
namespace MatteKit;

/// <summary>
/// The tensors of one model under the official PyTorch key names (e.g. <c>backbone.features.0.0.weight</c>),
/// whatever file format they were read from. Lookups that fail name the source file and the key.
/// </summary>
public sealed class WeightSet
{
    private readonly Dictionary<string, WeightTensor> _tensors;

    internal WeightSet(string source, IEnumerable<WeightTensor> tensors)
    {
        Source = source;
        _tensors = new Dictionary<string, WeightTensor>(StringComparer.Ordinal);
        foreach (var t in tensors)
        {
            if (!_tensors.TryAdd(t.Name, t))
                throw new WeightsFormatException(source, $"tensor '{t.Name}' appears twice");
            // A NaN or infinite weight runs silently and turns the whole matte to zero: refuse it by name.
            int at = FirstNonFinite(t.Data);
            if (at >= 0)
                throw new WeightsFormatException(source,
                    $"tensor '{t.Name}' holds {(float.IsNaN(t.Data[at]) ? "NaN" : t.Data[at] > 0 ? "infinity" : "-infinity")} at index {at}; weights must be finite numbers");
        }
    }

    /// <summary>Index of the first NaN or infinity in <paramref name="data"/>, or -1 (x - x is 0 exactly for finite x).</summary>
    internal static int FirstNonFinite(float[] data)
    {
        var values = data.AsSpan();
        int i = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated)
        {
            var vectors = System.Runtime.InteropServices.MemoryMarshal.Cast<float, System.Numerics.Vector<float>>(values);
            for (int v = 0; v < vectors.Length; v++)
            {
                var x = vectors[v];
                if (!System.Numerics.Vector.EqualsAll(x - x, System.Numerics.Vector<float>.Zero)) { i = v * System.Numerics.Vector<float>.Count; break; }
                i = (v + 1) * System.Numerics.Vector<float>.Count;
            }
        }
        for (; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return i;
        return -1;
    }

    /// <summary>The file (or description) the weights came from, used in error messages.</summary>
    public string Source { get; }

    public IReadOnlyCollection<string> Keys => _tensors.Keys;

    public int Count => _tensors.Count;

    public bool Contains(string key) => _tensors.ContainsKey(key);

    internal bool TryGet(string key, [MaybeNullWhen(false)] out WeightTensor tensor) => _tensors.TryGetValue(key, out tensor);

    /// <summary>The tensor <paramref name="key"/>, checked against <paramref name="expectedShape"/> when given.</summary>
    internal WeightTensor Get(string key, params int[] expectedShape)
    {
        if (!_tensors.TryGetValue(key, out var t))
            throw new WeightsFormatException(Source, $"tensor '{key}' is missing");
        if (expectedShape.Length > 0 && !t.Shape.AsSpan().SequenceEqual(expectedShape))
            throw new WeightsFormatException(Source,
                $"tensor '{key}' has shape {t.ShapeText}, expected [{string.Join(", ", expectedShape)}]");
        return t;
    }
}
