using System.Security.Cryptography;
using System.Text.Json;
using MatteKit.Media;

namespace MatteKit.Tests.TestSupport;

/// <summary>One case of <c>shared/reference/bgmv2/manifest.json</c>: model arguments, inputs and stored outputs.</summary>
public sealed class BgmReference
{
    public static readonly string Folder = SharedData.Path("reference", "bgmv2");

    private readonly JsonElement _root;
    private readonly JsonElement _case;

    private BgmReference(JsonElement root, JsonElement c)
    {
        _root = root;
        _case = c;
    }

    public static BgmReference Load(string name)
    {
        SharedData.SkipIfMissing(System.IO.Path.Combine(Folder, "manifest.json"));
        using var doc = JsonDocument.Parse(File.ReadAllText(System.IO.Path.Combine(Folder, "manifest.json")));
        var root = doc.RootElement.Clone();
        return new BgmReference(root, root.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name));
    }

    public string Name => _case.GetProperty("name").GetString()!;
    public string Class => _case.GetProperty("class").GetString()!;
    public string Backbone => _case.GetProperty("model_args").GetProperty("backbone").GetString()!;
    public JsonElement ModelArgs => _case.GetProperty("model_args");
    public int Height => _case.GetProperty("sizes").GetProperty("full_hw")[0].GetInt32();
    public int Width => _case.GetProperty("sizes").GetProperty("full_hw")[1].GetInt32();

    public (int Y, int X)[] Windows => _case.TryGetProperty("windows_top_left_yx", out var w)
        ? w.EnumerateArray().Select(a => (a[0].GetInt32(), a[1].GetInt32())).ToArray()
        : Array.Empty<(int, int)>();

    /// <summary>Patches near the selection boundary that an independent implementation may select differently.</summary>
    public HashSet<(int Y, int X)> MayFlip()
    {
        var set = new HashSet<(int, int)>();
        if (!_case.TryGetProperty("selection", out var s)) return set;
        foreach (var name in new[] { "within_1e-4_of_kth", "within_1e-4_of_threshold" })
            if (s.TryGetProperty(name, out var list))
                foreach (var e in list.EnumerateArray()) set.Add((e[0].GetInt32(), e[1].GetInt32()));
        return set;
    }

    /// <summary>Frame (<c>src</c>) or plate (<c>bgr</c>) as interleaved RGB bytes.</summary>
    public byte[] InputRgb24(string role)
    {
        var key = _case.GetProperty("input").GetProperty(role).GetString()!;
        var entry = _root.GetProperty("inputs").GetProperty(key);
        byte[] planar;
        if (entry.TryGetProperty("file", out var file))
        {
            planar = File.ReadAllBytes(System.IO.Path.Combine(Folder, file.GetString()!));
        }
        else
        {
            var png = System.IO.Path.GetFullPath(System.IO.Path.Combine(Folder, entry.GetProperty("png").GetString()!));
            SharedData.SkipIfMissing(png);
            var image = PngFile.ReadRgb(png);
            planar = ToPlanar(image.Pixels, image.Width, image.Height);
        }
        var sha = Convert.ToHexString(SHA256.HashData(planar)).ToLowerInvariant();
        Assert.Equal(entry.GetProperty("tensor_sha256").GetString(), sha);
        return ToInterleaved(planar, Width, Height);
    }

    public bool Has(string output) => _case.GetProperty("outputs").TryGetProperty(output, out _);

    public bool IsWindowed(string output)
        => _case.GetProperty("outputs").GetProperty(output).TryGetProperty("windows_of", out _);

    public float[] Floats(string output) => Read<float>(output);
    public int[] Ints(string output) => Read<int>(output);
    public byte[] Bytes(string output) => Read<byte>(output);

    private T[] Read<T>(string output) where T : unmanaged
    {
        var file = _case.GetProperty("outputs").GetProperty(output).GetProperty("file").GetString()!;
        var bytes = File.ReadAllBytes(System.IO.Path.Combine(Folder, file));
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(bytes).ToArray();
    }

    private static byte[] ToPlanar(byte[] rgb, int w, int h)
    {
        var planar = new byte[rgb.Length];
        int plane = w * h;
        for (int p = 0; p < plane; p++)
            for (int c = 0; c < 3; c++) planar[c * plane + p] = rgb[p * 3 + c];
        return planar;
    }

    private static byte[] ToInterleaved(byte[] planar, int w, int h)
    {
        var rgb = new byte[planar.Length];
        int plane = w * h;
        for (int p = 0; p < plane; p++)
            for (int c = 0; c < 3; c++) rgb[p * 3 + c] = planar[c * plane + p];
        return rgb;
    }

    public override string ToString() => $"{Name} {Class} {Backbone} {Width}x{Height}";
}
