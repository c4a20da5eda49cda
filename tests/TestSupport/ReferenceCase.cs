using System.Text.Json;

namespace MatteKit.Tests.TestSupport;

/// <summary>
/// One sequence of a reference manifest (<c>reference/rvm_mobilenetv3</c> or <c>reference/rvm_variants</c>): frames,
/// stored outputs and windows.
/// </summary>
public sealed class ReferenceCase
{
    private readonly JsonElement _case;

    private ReferenceCase(string folder, JsonElement c)
    {
        Folder = folder;
        _case = c;
        Name = c.GetProperty("name").GetString()!;
        Width = c.GetProperty("width").GetInt32();
        Height = c.GetProperty("height").GetInt32();
        DownsampleRatio = c.GetProperty("downsample_ratio").GetDouble();
        Model = c.TryGetProperty("model", out var m) ? m.GetString() : null;
        SegmentationPass = c.TryGetProperty("segmentation_pass", out var seg) && seg.GetBoolean();
        Frames = c.GetProperty("frames").EnumerateArray().Select(f => f.GetProperty("tensors")).ToArray();
        Windows = c.TryGetProperty("windows", out var w)
            ? w.GetProperty("top_left_yx").EnumerateArray().Select(a => (a[0].GetInt32(), a[1].GetInt32())).ToArray()
            : Array.Empty<(int, int)>();
    }

    public string Folder { get; }
    public string Name { get; }
    public int Width { get; }
    public int Height { get; }
    public double DownsampleRatio { get; }

    /// <summary>The model of the case (<c>rvm_variants</c>: "a" or "b"); null where a manifest has one model.</summary>
    public string? Model { get; }

    /// <summary>Whether the case ran the segmentation pass (stores <c>seg</c> instead of fgr/pha).</summary>
    public bool SegmentationPass { get; }
    public JsonElement[] Frames { get; }

    /// <summary>Top-left (y, x) of the stored 128x128 windows, for cases stored as windows.</summary>
    public (int Y, int X)[] Windows { get; }

    public static IReadOnlyList<ReferenceCase> LoadAll(string folder)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(System.IO.Path.Combine(folder, "manifest.json")));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => new ReferenceCase(folder, c.Clone())).ToArray();
    }

    /// <summary>Max and mean abs tolerances per tensor (<c>tolerance.per_tensor</c>).</summary>
    public static Dictionary<string, (double Max, double Mean)> LoadTolerances(string folder)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(System.IO.Path.Combine(folder, "manifest.json")));
        return doc.RootElement.GetProperty("tolerance").GetProperty("per_tensor").EnumerateObject().ToDictionary(
            p => p.Name, p => (p.Value.GetProperty("suggested_max_abs").GetDouble(), p.Value.GetProperty("suggested_mean_abs").GetDouble()));
    }

    /// <summary>Max and mean abs tolerances per tensor for one model (<c>tolerance.per_model</c> of <c>rvm_variants</c>).</summary>
    public static Dictionary<string, (double Max, double Mean)> LoadTolerances(string folder, string model)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(System.IO.Path.Combine(folder, "manifest.json")));
        return doc.RootElement.GetProperty("tolerance").GetProperty("per_model").GetProperty(model).EnumerateObject().ToDictionary(
            p => p.Name, p => (p.Value.GetProperty("suggested_max_abs").GetDouble(), p.Value.GetProperty("suggested_mean_abs").GetDouble()));
    }

    /// <summary>Frame <paramref name="index"/> as interleaved RGB bytes (the stored file is planar NCHW).</summary>
    public byte[] SourceRgb24(int index)
    {
        var planar = File.ReadAllBytes(FilePath(Frames[index].GetProperty("src")));
        int plane = Width * Height;
        var rgb = new byte[plane * 3];
        for (int p = 0; p < plane; p++)
            for (int c = 0; c < 3; c++) rgb[p * 3 + c] = planar[c * plane + p];
        return rgb;
    }

    /// <summary>The stored float32 values of tensor <paramref name="key"/> after frame <paramref name="index"/>, if stored.</summary>
    public float[]? Stored(int index, string key, out bool asWindows)
    {
        asWindows = false;
        if (!Frames[index].TryGetProperty(key, out var entry)) return null;
        asWindows = entry.TryGetProperty("full_shape", out _);
        var bytes = File.ReadAllBytes(FilePath(entry));
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }

    /// <summary>Cuts the stored windows out of a full planar tensor with <paramref name="channels"/> channels, in file order.</summary>
    public float[] ExtractWindows(ReadOnlySpan<float> full, int channels)
    {
        var result = new float[Windows.Length * channels * 128 * 128];
        int q = 0;
        foreach (var (y0, x0) in Windows)
            for (int c = 0; c < channels; c++)
                for (int y = 0; y < 128; y++)
                    for (int x = 0; x < 128; x++)
                        result[q++] = full[c * Width * Height + (y0 + y) * Width + x0 + x];
        return result;
    }

    private string FilePath(JsonElement entry) => System.IO.Path.Combine(Folder, entry.GetProperty("file").GetString()!);

    public override string ToString() => $"{Name} {Width}x{Height} @{DownsampleRatio}";
}
