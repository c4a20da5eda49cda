using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MatteKit.Live;

/// <summary>
/// The live default's network side, remembered between runs: the search for it builds and times up to four network
/// sessions (about 1.7 s at 640x360 on a 2-core machine), and a stream's frames that arrive meanwhile are dropped. A
/// session of the same machine, weights, threads, pipeline, frame size and rate takes the side found last time and builds
/// one session. A small JSON file, at most <see cref="MaxEntries"/> entries (the oldest go), read whole within
/// <see cref="MaxBytes"/> (a regular file only: a FIFO or a device there is read as empty) and written under a temporary name then renamed; a file that cannot be read or holds nonsense is
/// treated as empty (the search runs and rewrites it), and one that cannot be written is left as it is: a memory is only a
/// short cut.
/// </summary>
internal sealed class NetworkSideMemory(string path)
{
    public const int MaxEntries = 64;
    public const long MaxBytes = 64 * 1024;

    /// <summary>Where the file is.</summary>
    public string Path { get; } = path;

    /// <summary>The side and halving remembered for <paramref name="key"/>; null when none (or the file is unreadable).</summary>
    public (int Side, bool Halved)? Recall(string key)
    {
        foreach (var entry in Read())
            if (entry.Key == key) return (entry.Side, entry.Halved);
        return null;
    }

    /// <summary>The frame size of the newest entry for this machine, weights, pipeline and rate (any size); null when none.</summary>
    public (int Width, int Height)? NewestSize(string weights, string pipeline, double fps)
    {
        foreach (var entry in Read())
        {
            var parts = entry.Key.Split('|');
            if (parts.Length != 5) continue;
            var probe = Key(weights, pipeline, 1, 1, fps).Split('|');
            if (parts[0] != probe[0] || parts[1] != probe[1] || parts[2] != probe[2] || parts[4] != probe[4]) continue;
            var size = parts[3].Split('x');
            if (size.Length == 2 && int.TryParse(size[0], NumberStyles.None, CultureInfo.InvariantCulture, out int w)
                && int.TryParse(size[1], NumberStyles.None, CultureInfo.InvariantCulture, out int h) && w is > 0 and <= 65536 && h is > 0 and <= 65536)
                return (w, h);
        }
        return null;
    }

    /// <summary>Remembers the side for <paramref name="key"/>, newest first; false when the file could not be written.</summary>
    public bool Remember(string key, int side, bool halved)
    {
        var entries = Read().Where(e => e.Key != key).Prepend(new Entry(key, side, halved)).Take(MaxEntries).ToList();
        var json = new JsonObject
        {
            ["format"] = 1,
            ["entries"] = new JsonArray(entries.Select(e => (JsonNode)new JsonObject { ["key"] = e.Key, ["side"] = e.Side, ["halved"] = e.Halved }).ToArray()),
        };
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
            // Through the one writer of outputs: a temporary name no one can guess (a link put there in advance would be
            // written through), renamed over the memory when complete.
            Media.OutputFile.WriteAllText(Path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or MediaFormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// What makes a side fit or not: the machine (its CPU's model and cores), the weights, how the session runs
    /// (<paramref name="pipeline"/>: threads, refiner, a subject, edge controls), the frame size and the rate.
    /// </summary>
    public static string Key(string weights, string pipeline, int width, int height, double fps)
        => string.Join('|', Machine.Value, weights, pipeline, $"{width}x{height}", fps.ToString("0.##", CultureInfo.InvariantCulture) + " fps");

    private static readonly Lazy<string> Machine = new(() =>
    {
        string model = "cpu";
        try
        {
            if (File.Exists("/proc/cpuinfo"))
                model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? model;
        }
        catch (IOException)
        {
        }
        return $"{model} x{Environment.ProcessorCount}";
    });

    private sealed record Entry(string Key, int Side, bool Halved);

    private List<Entry> Read()
    {
        var entries = new List<Entry>();
        try
        {
            // Through the one reader of user-placed files: a FIFO or /dev/zero put there is refused, never waited on or read.
            if (!File.Exists(Path) && !Directory.Exists(Path)) return entries;
            using var document = JsonDocument.Parse(Media.InputFile.ReadAllBytes(Path, MaxBytes, "a live network-size memory"));
            if (!document.RootElement.TryGetProperty("entries", out var list) || list.ValueKind != JsonValueKind.Array) return entries;
            foreach (var e in list.EnumerateArray().Take(MaxEntries))
            {
                if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("key", out var key) || key.ValueKind != JsonValueKind.String
                    || !e.TryGetProperty("side", out var side) || side.ValueKind != JsonValueKind.Number || !side.TryGetInt32(out int s)
                    || !e.TryGetProperty("halved", out var halved) || halved.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                    continue;
                // Only a side the search could have chosen.
                if (s < AutoNetworkSide.Smallest || s > AutoNetworkSide.Largest || s % 16 != 0) continue;
                entries.Add(new Entry(key.GetString()!, s, halved.GetBoolean()));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or MediaFormatException)
        {
            entries.Clear();
        }
        return entries;
    }
}
