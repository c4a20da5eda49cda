using System.Text;
using System.Text.Json;

namespace MatteKit.Weights;

/// <summary>One node of a TF.js graph model's <c>modelTopology</c>: TensorFlow's NodeDef as JSON.</summary>
internal sealed record TfjsNode(string Name, string Op, string[] Inputs, IReadOnlyDictionary<string, JsonElement> Attributes)
{
    /// <summary>An input's node name: without the <c>:k</c> output index or the <c>^</c> of a control input.</summary>
    public static string NodeName(string input) => input.TrimStart('^').Split(':')[0];

    /// <summary>An input's output index (<c>name:1</c> is the second output).</summary>
    public static int OutputIndex(string input) => input.Split(':') is [_, var k] && int.TryParse(k, out int i) ? i : 0;

    /// <summary>The data inputs (control inputs, <c>^name</c>, only order execution).</summary>
    public IEnumerable<string> DataInputs => Inputs.Where(i => !i.StartsWith('^'));

    public long[] Ints(string name)
        => Attributes.TryGetValue(name, out var a) && a.TryGetProperty("list", out var list) && list.TryGetProperty("i", out var i)
            ? i.EnumerateArray().Select(v => long.Parse(TextOf(v), System.Globalization.CultureInfo.InvariantCulture)).ToArray()
            : Array.Empty<long>();

    /// <summary>A string attribute (stored base64), e.g. padding "SAME".</summary>
    public string? Text(string name)
        => Attributes.TryGetValue(name, out var a) && a.TryGetProperty("s", out var s) ? Encoding.UTF8.GetString(Convert.FromBase64String(TextOf(s))) : null;

    public string[] Texts(string name)
        => Attributes.TryGetValue(name, out var a) && a.TryGetProperty("list", out var list) && list.TryGetProperty("s", out var s)
            ? s.EnumerateArray().Select(v => Encoding.UTF8.GetString(Convert.FromBase64String(TextOf(v)))).ToArray()
            : Array.Empty<string>();

    /// <summary>A JSON string of the graph; a null there is as malformed as text that does not parse.</summary>
    internal static string TextOf(JsonElement value) => value.GetString() ?? throw new FormatException("null where text belongs");

    public bool Flag(string name) => Attributes.TryGetValue(name, out var a) && a.TryGetProperty("b", out var b) && b.GetBoolean();
}
