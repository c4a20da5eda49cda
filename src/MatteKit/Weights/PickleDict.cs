namespace MatteKit.Weights;

/// <summary>
/// A Python <c>dict</c> or <c>collections.OrderedDict</c> rebuilt by the restricted unpickler, in insertion
/// order. Setting an existing key replaces its value in place, as in Python.
/// </summary>
internal sealed class PickleDict
{
    private readonly List<KeyValuePair<object?, object?>> _items = new();
    private readonly Dictionary<object, int> _index = new();

    public PickleDict(bool isOrdered) => IsOrdered = isOrdered;

    /// <summary>True for <c>collections.OrderedDict</c>, false for a plain <c>dict</c>.</summary>
    public bool IsOrdered { get; }

    /// <summary>The state a BUILD opcode gave the object (for a state_dict: <c>{'_metadata': ...}</c>); ignored.</summary>
    public object? State { get; set; }

    public IReadOnlyList<KeyValuePair<object?, object?>> Items => _items;

    public int Count => _items.Count;

    public void Set(object? key, object? value)
    {
        // Strings and integers are the keys a state_dict uses; other keys are kept without a lookup index.
        if (key is string or long or bool)
        {
            if (_index.TryGetValue(key, out var i))
            {
                _items[i] = new KeyValuePair<object?, object?>(key, value);
                return;
            }
            _index[key] = _items.Count;
        }
        _items.Add(new KeyValuePair<object?, object?>(key, value));
    }
}
