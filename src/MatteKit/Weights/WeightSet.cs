namespace MatteKit.Weights;

/// <summary>
/// The tensors of one model under the official PyTorch key names (e.g. <c>backbone.features.0.0.weight</c>),
/// whatever file format they were read from. Lookups that fail name the source file and the key.
/// </summary>
public sealed class WeightSet
{
    private readonly Dictionary<string, WeightTensor> _tensors;

    public WeightSet(string source, IEnumerable<WeightTensor> tensors)
    {
        Source = source;
        _tensors = new Dictionary<string, WeightTensor>(StringComparer.Ordinal);
        foreach (var t in tensors)
        {
            if (!_tensors.TryAdd(t.Name, t))
                throw new WeightsFormatException(source, $"tensor '{t.Name}' appears twice");
        }
    }

    /// <summary>The file (or description) the weights came from, used in error messages.</summary>
    public string Source { get; }

    public IReadOnlyCollection<string> Keys => _tensors.Keys;

    public int Count => _tensors.Count;

    public bool Contains(string key) => _tensors.ContainsKey(key);

    public bool TryGet(string key, out WeightTensor tensor) => _tensors.TryGetValue(key, out tensor!);

    /// <summary>The tensor <paramref name="key"/>, checked against <paramref name="expectedShape"/> when given.</summary>
    public WeightTensor Get(string key, params int[] expectedShape)
    {
        if (!_tensors.TryGetValue(key, out var t))
            throw new WeightsFormatException(Source, $"tensor '{key}' is missing");
        if (expectedShape.Length > 0 && !t.Shape.AsSpan().SequenceEqual(expectedShape))
            throw new WeightsFormatException(Source,
                $"tensor '{key}' has shape {t.ShapeText}, expected [{string.Join(", ", expectedShape)}]");
        return t;
    }
}
