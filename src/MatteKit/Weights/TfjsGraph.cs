using System.Reflection;
using System.Text.Json;

namespace MatteKit.Weights;

/// <summary>
/// A whole TF.js graph model: its nodes by name and the tensors of its weights manifest (float16 and uint8
/// quantized weights dequantized as tfjs-core does), for translating the graph itself rather than mapping weights
/// into a network MatteKit describes.
/// </summary>
internal sealed class TfjsGraph
{
    /// <summary>model.json files here are well under a megabyte; a larger one is not a model this reads.</summary>
    public const int MaxModelJsonBytes = 64 << 20;

    private TfjsGraph(string source, Dictionary<string, TfjsNode> nodes, Dictionary<string, TfjsTensor> tensors)
    {
        Source = source;
        Nodes = nodes;
        Tensors = tensors;
    }

    public string Source { get; }
    public IReadOnlyDictionary<string, TfjsNode> Nodes { get; }
    public IReadOnlyDictionary<string, TfjsTensor> Tensors { get; }

    public TfjsNode Node(string name)
        => Nodes.TryGetValue(name, out var n) ? n : throw new WeightsFormatException(Source, $"the graph has no node '{name}'");

    /// <summary>An embedded model: <paramref name="prefix"/> + <c>model.json</c> name, shards beside it under the same prefix.</summary>
    public static TfjsGraph ReadEmbedded(string prefix, string modelJson)
    {
        var assembly = Assembly.GetExecutingAssembly();
        using var json = assembly.GetManifestResourceStream(prefix + modelJson)
            ?? throw new InvalidOperationException($"embedded model {prefix + modelJson} is missing from the assembly");
        return Read(json, shard => assembly.GetManifestResourceStream(prefix + shard), $"embedded:{prefix}{modelJson}");
    }

    public static TfjsGraph Read(Stream modelJson, Func<string, Stream?> openShard, string source)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        for (int n; (n = modelJson.Read(chunk)) > 0;)
        {
            if (buffer.Length + n > MaxModelJsonBytes) throw new WeightsFormatException(source, $"model.json is larger than {MaxModelJsonBytes >> 20} MiB");
            buffer.Write(chunk, 0, n);
        }
        buffer.Position = 0;
        var tensors = TfjsGraphModel.ReadTensors(buffer, openShard, source);
        var nodes = new Dictionary<string, TfjsNode>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(buffer.ToArray(), new JsonDocumentOptions { MaxDepth = 256 });
            foreach (var node in doc.RootElement.GetProperty("modelTopology").GetProperty("node").EnumerateArray())
            {
                string name = TfjsNode.TextOf(node.GetProperty("name"));
                var inputs = node.TryGetProperty("input", out var i) ? i.EnumerateArray().Select(TfjsNode.TextOf).ToArray() : Array.Empty<string>();
                var attributes = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                if (node.TryGetProperty("attr", out var attr))
                    foreach (var a in attr.EnumerateObject()) attributes[a.Name] = a.Value.Clone();
                if (!nodes.TryAdd(name, new TfjsNode(name, TfjsNode.TextOf(node.GetProperty("op")), inputs, attributes)))
                    throw new WeightsFormatException(source, $"node '{name}' appears twice in modelTopology");
            }
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or JsonException or FormatException)
        {
            throw new WeightsFormatException(source, $"modelTopology is not a list of TensorFlow nodes ({e.Message.ReplaceLineEndings(" ")})", e);
        }
        return new TfjsGraph(source, nodes, tensors);
    }
}
