using System.Text.Json;
using MatteKit.Weights;

namespace MatteKit.Tests.TestSupport;

/// <summary>
/// The deterministic BGMv2 weights of <c>shared/reference/bgmv2/README.md</c>, computed from the formula: tensor k
/// (state_dict order, <c>num_batches_tracked</c> skipped), element i, <c>s = sin(0.7 i + 1.3 k)</c>; conv kernels
/// <c>s g / sqrt(fan_in)</c>, BN weights <c>1 + 0.1 s</c>, biases <c>0.1 s</c>, running means <c>0.05 s</c>, running
/// variances <c>1 + 0.5 |s|</c>. Keys, shapes and k come from the README's weight table.
/// </summary>
public static class BgmSyntheticWeights
{
    private static readonly Dictionary<string, Lazy<WeightSet>> Cache = new()
    {
        ["mobilenetv2"] = new(() => Generate("mobilenetv2")),
        ["resnet50"] = new(() => Generate("resnet50")),
    };

    public sealed record Entry(string Key, int K, string Kind, int[] Shape, string Sha256);

    public static string TablePath(string backbone) => SharedData.Path("reference", "bgmv2", $"weights_{backbone}.json");

    /// <summary>The weights for <paramref name="backbone"/> (mobilenetv2 or resnet50); skips when the table is absent.</summary>
    public static WeightSet For(string backbone)
    {
        SharedData.SkipIfMissing(TablePath(backbone));
        return Cache[backbone].Value;
    }

    public static (double Gain, Entry[] Entries) ReadTable(string backbone)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TablePath(backbone)));
        var root = doc.RootElement;
        var entries = root.GetProperty("tensors").EnumerateArray()
            .Where(t => t.GetProperty("k").ValueKind == JsonValueKind.Number)
            .Select(t => new Entry(
                t.GetProperty("key").GetString()!,
                t.GetProperty("k").GetInt32(),
                t.GetProperty("kind").GetString()!,
                t.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray(),
                t.GetProperty("sha256_f32le").GetString()!))
            .ToArray();
        return (root.GetProperty("gain").GetDouble(), entries);
    }

    public static float[] Values(Entry e, double gain)
    {
        int count = e.Shape.Aggregate(1, (a, b) => a * b);
        var values = new float[count];
        int fanIn = e.Shape.Length == 4 ? e.Shape[1] * e.Shape[2] * e.Shape[3] : 0;
        bool convWeight = e.Key.EndsWith(".weight", StringComparison.Ordinal) && e.Shape.Length == 4;
        bool bnWeight = e.Key.EndsWith(".weight", StringComparison.Ordinal) && e.Shape.Length == 1;
        for (int i = 0; i < count; i++)
        {
            double s = Math.Sin(0.7 * i + 1.3 * e.K);
            values[i] = convWeight ? (float)((1.0 / Math.Sqrt(fanIn)) * s * gain)
                : bnWeight ? (float)(1 + 0.1 * s)
                : e.Key.EndsWith(".bias", StringComparison.Ordinal) ? (float)(0.1 * s)
                : e.Key.EndsWith(".running_mean", StringComparison.Ordinal) ? (float)(0.05 * s)
                : e.Key.EndsWith(".running_var", StringComparison.Ordinal) ? (float)(1 + 0.5 * Math.Abs(s))
                : throw new InvalidOperationException($"no formula for {e.Key} ({e.Kind})");
        }
        return values;
    }

    private static WeightSet Generate(string backbone)
    {
        var (gain, entries) = ReadTable(backbone);
        return new WeightSet($"synthetic BGMv2 {backbone} (formula)", entries.Select(e => new WeightTensor(e.Key, e.Shape, Values(e, gain))));
    }
}
