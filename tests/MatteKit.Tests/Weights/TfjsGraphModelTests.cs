using System.Security.Cryptography;
using System.Text.Json.Nodes;
using MatteKit.Tests.TestSupport;
using MatteKit.Weights;
using Xunit;

namespace MatteKit.Tests.Weights;

[Trait("Needs", "shared")]
public sealed class TfjsGraphModelTests : IDisposable
{
    private const string Prefix = "StatefulPartitionedCall/matting_network_wrapper/StatefulPartitionedCall/";
    private const string ShardName = "group1-shard1of1.bin";

    private static readonly Lazy<WeightSet> Embedded = new(TfjsGraphModel.ReadEmbeddedDefault);

    private readonly string _tempDir = Path.Combine(Path.GetTempPath(), "mattekit-tfjs-" + Guid.NewGuid().ToString("N"));

    public TfjsGraphModelTests() => Directory.CreateDirectory(_tempDir);

    public void Dispose()
    {
        try { Directory.Delete(_tempDir, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void EmbeddedDefault_HasTheOfficialKeysAndShapes()
    {
        var ws = Embedded.Value;
        Assert.Equal(363, ws.Count);
        Assert.Contains("embedded", ws.Source);

        Assert.Equal([16, 3, 3, 3], ws.Get("backbone.features.0.0.weight").Shape);
        Assert.Equal([16, 1, 3, 3], ws.Get("backbone.features.1.block.0.0.weight").Shape);
        Assert.Equal([24, 72, 1, 1], ws.Get("backbone.features.4.block.2.fc1.weight").Shape);
        Assert.Equal([40, 72, 1, 1], ws.Get("backbone.features.4.block.3.0.weight").Shape);
        Assert.Equal([672, 1, 5, 5], ws.Get("backbone.features.13.block.1.0.weight").Shape);
        Assert.Equal([960, 160, 1, 1], ws.Get("backbone.features.16.0.weight").Shape);
        Assert.Equal([128, 960, 1, 1], ws.Get("aspp.aspp2.1.weight").Shape);
        Assert.Equal([128, 128, 3, 3], ws.Get("decoder.decode4.gru.ih.0.weight").Shape);
        Assert.Equal([80, 171, 3, 3], ws.Get("decoder.decode3.conv.0.weight").Shape);
        Assert.Equal([16, 35, 3, 3], ws.Get("decoder.decode0.conv.0.weight").Shape);
        Assert.Equal([4, 16, 1, 1], ws.Get("project_mat.conv.weight").Shape);
        Assert.Equal([4], ws.Get("project_mat.conv.bias").Shape);

        // Keys of the official module that have no TF.js counterpart are absent, as in the official .pth.
        Assert.False(ws.Contains("project_seg.conv.weight"));
        Assert.False(ws.Contains("aspp.aspp2.1.bias"));
        Assert.False(ws.Contains("backbone.features.1.block.0.0.bias"));

        // 52 batch norms, each with weight, bias, running_mean, running_var, num_batches_tracked.
        Assert.Equal(52, ws.Keys.Count(k => k.EndsWith(".num_batches_tracked", StringComparison.Ordinal)));
        var nbt = ws.Get("decoder.decode1.conv.1.num_batches_tracked");
        Assert.Empty(nbt.Shape);
        Assert.Equal([0f], nbt.Data);
    }

    [Fact]
    public void EmbeddedDefault_FoldedBatchNormsAreIdentityPlusOffset()
    {
        var ws = Embedded.Value;
        Assert.All(ws.Get("backbone.features.0.1.weight", 16).Data, v => Assert.Equal(1f, v));
        Assert.All(ws.Get("backbone.features.0.1.running_mean", 16).Data, v => Assert.Equal(0f, v));
        // float32(1 - 0.001) for the backbone, float32(1 - 1e-5) for LR-ASPP and the decoder.
        Assert.All(ws.Get("backbone.features.0.1.running_var", 16).Data, v => Assert.Equal(0x3f7fbe77, Bits(v)));
        Assert.All(ws.Get("backbone.features.14.block.1.1.running_var", 960).Data, v => Assert.Equal(0x3f7fbe77, Bits(v)));
        Assert.All(ws.Get("aspp.aspp1.1.running_var", 128).Data, v => Assert.Equal(0x3f7fff58, Bits(v)));
        Assert.All(ws.Get("decoder.decode0.conv.4.running_var", 16).Data, v => Assert.Equal(0x3f7fff58, Bits(v)));
        // The dilated depthwise convs keep their BN scale.
        Assert.Equal([0x408c0091, 0x402c4f78, 0x40576356, 0x40a18a80],
            ws.Get("backbone.features.13.block.1.1.weight", 672).Data.Take(4).Select(Bits));
    }

    // Expected values: sha256 of the little-endian float32 bytes of the official rvm_mobilenetv3_fgf.pth tensors.
    [Theory]
    [InlineData("backbone.features.0.0.weight", "2b1c84eecfa0cc334fe8410cd186e7b3c0d1d57fd29f4316b23b23b77f0c2bae")]
    [InlineData("backbone.features.1.block.0.0.weight", "2382093beedd4f7f369704ca080f5be19c7bbbb537dc53f7a2f0e3d89077c04b")]
    [InlineData("backbone.features.4.block.2.fc1.weight", "3f0893b51b08fdb33fd67d1bedef6d98841f7c9aed10c82d2319d1b9c7f05ba2")]
    [InlineData("backbone.features.13.block.1.0.weight", "2b324102a7feeaab190280e940f3e12bc2a5746bc11cee57b9e2cec9d1e4ef0b")]
    [InlineData("backbone.features.13.block.1.1.weight", "3dfc6da481d121794cf6407e6caa35d6287f8d0b84760a5c8f4a527e580cb0e3")]
    [InlineData("backbone.features.15.block.1.1.bias", "5466c76e43d1d02c7cfe7a9450c87852ff1d886ec3f9cf92d4dda239678f0fff")]
    [InlineData("aspp.aspp2.1.weight", "a40367a1a2322f1afeb8c0e225870c3488a4377838c732b10b047185593f98ac")]
    [InlineData("decoder.decode3.conv.0.weight", "d809efa2ddbe8a4f47eac9cca83ae2c655866e7552fdbed8ce7c952e182299a7")]
    [InlineData("decoder.decode3.conv.1.bias", "087c75107ab6741c394da8aa2f8acbfbb060abb9e070d875e2370c8dd90a44d5")]
    [InlineData("decoder.decode4.gru.hh.0.weight", "264c2ad98a297ce48b52618ef26cdd14dda1d45c8b2760fe35faebf99d96c930")]
    [InlineData("project_mat.conv.weight", "c9c0776376faf35c784a8d6d89929d8def9e8544f8a136fe4f469d17db99973e")]
    [InlineData("project_mat.conv.bias", "894808b36189af88383ce902dc5513edc753dd4c8b76aaca5057ba5ec56d3755")]
    public void EmbeddedDefault_ValuesAreBitIdenticalToTheOfficialPth(string key, string sha256)
    {
        Assert.Equal(sha256, Sha256(Embedded.Value.Get(key).Data));
    }

    [Fact]
    public void EmbeddedDefault_FirstValues()
    {
        var ws = Embedded.Value;
        Assert.Equal([0x3b80e5d3, 0x3b429cc0, 0x3b036dda, 0x3dffda4c], ws.Get("project_mat.conv.bias").Data.Select(Bits));
        // OIHW order: [0,0,0,0], [0,0,0,1], [0,0,0,2], [0,0,1,0].
        Assert.Equal([0xbde166eb, 0xbd6166eb, 0x3e290d30, 0xbe8ce053],
            ws.Get("backbone.features.0.0.weight").Data.Take(4).Select(v => (uint)Bits(v)));
    }

    [Fact]
    public void ReadFromPath_EqualsEmbedded_AndNamesTheFile()
    {
        string json = WriteModel(EmbeddedJson(), EmbeddedShard());
        var ws = TfjsGraphModel.Read(json);
        Assert.Equal(Path.GetFullPath(json), ws.Source);
        AssertSameWeights(Embedded.Value, ws);
    }

    [SkippableFact]
    public void ReadSharedOfficialFiles_EqualsEmbedded()
    {
        string json = SharedData.Path("models", "rvm_mobilenetv3_tfjs", "model.json");
        SharedData.SkipIfMissing(json);
        AssertSameWeights(Embedded.Value, TfjsGraphModel.Read(json));
    }

    [Fact]
    public void TruncatedShard_IsReported()
    {
        var shard = EmbeddedShard();
        string json = WriteModel(EmbeddedJson(), shard.AsSpan(0, shard.Length - 1000).ToArray());
        var e = AssertOneLineError(json, "truncated");
        Assert.Contains(ShardName, e.Message);
        Assert.Contains("tensor '", e.Message);
    }

    [Fact]
    public void MissingShard_IsReported()
    {
        string json = WriteModel(EmbeddedJson(), shard: null);
        var e = AssertOneLineError(json, "not found");
        Assert.Contains(ShardName, e.Message);
    }

    [Fact]
    public void JsonThatIsNotAModel_IsReported()
    {
        string json = Path.Combine(_tempDir, "model.json");
        File.WriteAllText(json, """{"hello": 1}""");
        AssertOneLineError(json, "not a TF.js graph model");
    }

    [Fact]
    public void TextThatIsNotJson_IsReported()
    {
        string json = Path.Combine(_tempDir, "model.json");
        File.WriteAllText(json, "hello, this is not JSON\nsecond line\n");
        AssertOneLineError(json, "not a JSON file");
    }

    [Fact]
    public void BinaryFileGivenAsModelJson_IsReported()
    {
        string path = Path.Combine(_tempDir, ShardName);
        File.WriteAllBytes(path, EmbeddedShard());
        AssertOneLineError(path, "not a JSON file");
    }

    [Fact]
    public void MissingModelJson_IsReported()
    {
        AssertOneLineError(Path.Combine(_tempDir, "nothing-here.json"), "not found");
    }

    [Fact]
    public void TensorRemovedFromManifestAndShard_IsReportedByName()
    {
        const string name = Prefix + "conv2d_62/BiasAdd/ReadVariableOp";
        var (json, shard) = RemoveTensor(name);
        var e = AssertOneLineError(WriteModel(json, shard), "missing");
        Assert.Contains($"'{name}'", e.Message);
        Assert.Contains("project_mat.conv.bias", e.Message);
    }

    [Fact]
    public void TensorRemovedFromManifestOnly_IsReportedAsMismatch()
    {
        var json = EmbeddedJson();
        var weights = json["weightsManifest"]![0]!["weights"]!.AsArray();
        weights.RemoveAt(FindWeight(weights, Prefix + "conv2d_62/BiasAdd/ReadVariableOp"));
        AssertOneLineError(WriteModel(json, EmbeddedShard()), "do not belong together");
    }

    [Fact]
    public void UnexpectedShape_IsReportedByName()
    {
        const string name = Prefix + "conv2d_62/Conv2D/ReadVariableOp";
        var json = EmbeddedJson();
        var weights = json["weightsManifest"]![0]!["weights"]!.AsArray();
        weights[FindWeight(weights, name)]!["shape"] = new JsonArray(1, 1, 4, 16); // same size, wrong shape
        var e = AssertOneLineError(WriteModel(json, EmbeddedShard()), "shape [1, 1, 4, 16], expected [1, 1, 16, 4]");
        Assert.Contains($"'{name}'", e.Message);
    }

    [Fact]
    public void UnknownQuantizationDtype_IsReportedByName()
    {
        const string name = Prefix + "conv2d_62/Conv2D/ReadVariableOp";
        var json = EmbeddedJson();
        var weights = json["weightsManifest"]![0]!["weights"]!.AsArray();
        weights[FindWeight(weights, name)]!["quantization"]!["dtype"] = "int4";
        var e = AssertOneLineError(WriteModel(json, EmbeddedShard()), "unsupported quantization dtype 'int4'");
        Assert.Contains($"'{name}'", e.Message);
    }

    [Fact]
    public void UnknownDtype_IsReportedByName()
    {
        var json = EmbeddedJson();
        var weights = json["weightsManifest"]![0]!["weights"]!.AsArray();
        int i = weights.Select((w, k) => (w, k)).First(t => (string)t.w!["dtype"]! == "int32").k;
        weights[i]!["dtype"] = "bfloat7";
        var e = AssertOneLineError(WriteModel(json, EmbeddedShard()), "unsupported dtype 'bfloat7'");
        Assert.Contains((string)weights[i]!["name"]!, e.Message);
    }

    [Fact]
    public void StreamOverload_UsesTheSourceNameAndTheShardCallback()
    {
        var requested = new List<string>();
        using var json = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(EmbeddedJson().ToJsonString()));
        var ws = TfjsGraphModel.Read(json, p => { requested.Add(p); return new MemoryStream(EmbeddedShard()); }, "my-model");
        Assert.Equal([ShardName], requested);
        Assert.Equal("my-model", ws.Source);
        Assert.Equal(363, ws.Count);

        using var bad = new MemoryStream("[1, 2]"u8.ToArray());
        var e = Assert.Throws<WeightsFormatException>(() => TfjsGraphModel.Read(bad, _ => null, "my-model"));
        Assert.StartsWith("my-model: ", e.Message);
    }

    // ---- helpers ----

    private static WeightsFormatException AssertOneLineError(string modelJsonPath, string expected)
    {
        var e = Assert.Throws<WeightsFormatException>(() => TfjsGraphModel.Read(modelJsonPath));
        Assert.Contains(Path.GetFullPath(modelJsonPath), e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.DoesNotContain('\r', e.Message);
        return e;
    }

    private static void AssertSameWeights(WeightSet expected, WeightSet actual)
    {
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var key in expected.Keys)
        {
            var a = expected.Get(key);
            var b = actual.Get(key);
            Assert.Equal(a.Shape, b.Shape);
            Assert.True(a.Data.AsSpan().SequenceEqual(b.Data), key);
        }
    }

    private string WriteModel(JsonNode json, byte[]? shard) =>
        WriteModel(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()), shard);

    private string WriteModel(byte[] json, byte[]? shard)
    {
        string path = Path.Combine(_tempDir, "model.json");
        File.WriteAllBytes(path, json);
        if (shard is not null)
            File.WriteAllBytes(Path.Combine(_tempDir, ShardName), shard);
        return path;
    }

    private static byte[] EmbeddedBytes(string name)
    {
        using var s = typeof(TfjsGraphModel).Assembly.GetManifestResourceStream("MatteKit.Models.rvm_mobilenetv3." + name)!;
        using var m = new MemoryStream();
        s.CopyTo(m);
        return m.ToArray();
    }

    private static JsonNode EmbeddedJson() => JsonNode.Parse(EmbeddedBytes("model.json"))!;

    private static byte[] EmbeddedShard() => EmbeddedBytes(ShardName);

    private static int FindWeight(JsonArray weights, string name)
    {
        for (int i = 0; i < weights.Count; i++)
            if ((string)weights[i]!["name"]! == name)
                return i;
        throw new InvalidOperationException("no tensor " + name);
    }

    /// <summary>model.json and shard with one tensor removed from both, so that the rest still lines up.</summary>
    private static (JsonNode Json, byte[] Shard) RemoveTensor(string name)
    {
        var json = EmbeddedJson();
        var weights = json["weightsManifest"]![0]!["weights"]!.AsArray();
        int index = FindWeight(weights, name);
        long offset = 0;
        for (int i = 0; i < index; i++)
            offset += ByteSize(weights[i]!);
        long size = ByteSize(weights[index]!);
        weights.RemoveAt(index);
        var shard = EmbeddedShard();
        var cut = new byte[shard.Length - size];
        shard.AsSpan(0, (int)offset).CopyTo(cut);
        shard.AsSpan((int)(offset + size)).CopyTo(cut.AsSpan((int)offset));
        return (json, cut);
    }

    private static long ByteSize(JsonNode w)
    {
        long count = w["shape"]!.AsArray().Aggregate(1L, (n, d) => n * (int)d!);
        if (w["quantization"] is { } q)
            return count * ((string)q["dtype"]! == "uint8" ? 1 : 2);
        return count * ((string)w["dtype"]! == "bool" ? 1 : 4);
    }

    private static int Bits(float v) => BitConverter.SingleToInt32Bits(v);

    private static string Sha256(float[] data)
    {
        var bytes = new byte[data.Length * 4];
        Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }
}
