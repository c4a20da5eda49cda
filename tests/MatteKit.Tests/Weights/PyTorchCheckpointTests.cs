using System.Buffers.Binary;
using MatteKit.Tests.TestSupport;
using MatteKit.Weights;
using Xunit;

namespace MatteKit.Tests.Weights;

[Trait("Needs", "shared")]
public sealed class PyTorchCheckpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mattekit-pth-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private string TempPath(string name) => Path.Combine(_dir, name);

    private string WriteFile(string name, byte[] bytes)
    {
        var path = TempPath(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Reading <paramref name="path"/> fails with one line naming the file and each of <paramref name="fragments"/>.</summary>
    private static WeightsFormatException AssertReadFails(string path, params string[] fragments)
    {
        var e = Assert.Throws<WeightsFormatException>(() => PyTorchCheckpoint.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Equal(path, e.File);
        foreach (var f in fragments) Assert.Contains(f, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.DoesNotContain('\r', e.Message);
        return e;
    }

    private static float Bits(uint bits) => BitConverter.UInt32BitsToSingle(bits);

    // ---- real files -------------------------------------------------------------------------------------

    [SkippableFact]
    public void ReadsTheRealFgfCheckpoint()
    {
        var path = SharedData.Path("models", "rvm_mobilenetv3_fgf.pth");
        SharedData.SkipIfMissing(path);

        var w = PyTorchCheckpoint.Read(path!);

        Assert.Equal(path, w.Source);
        Assert.Equal(363, w.Count);
        Assert.Equal(new[] { 16, 3, 3, 3 }, w.Get("backbone.features.0.0.weight").Shape);
        Assert.Equal(new[] { 80, 171, 3, 3 }, w.Get("decoder.decode3.conv.0.weight").Shape);
        Assert.Equal(new[] { 4 }, w.Get("project_mat.conv.bias").Shape);
        Assert.False(w.Contains("project_seg.conv.weight"));

        var nbt = w.Get("backbone.features.0.1.num_batches_tracked");
        Assert.Empty(nbt.Shape);
        Assert.Equal(new[] { 0f }, nbt.Data);
        Assert.Equal(52, w.Keys.Count(k => k.EndsWith(".num_batches_tracked", StringComparison.Ordinal)));

        // Values read by Python's zipfile + struct from the raw storages data/0, data/319 and data/362.
        var conv0 = w.Get("backbone.features.0.0.weight").Data;
        Assert.Equal(Bits(0xBDE166EB), conv0[0]); // -0.11005958169698715
        Assert.Equal(Bits(0xBD6166EB), conv0[431]); // -0.055029790848493576
        var decode3 = w.Get("decoder.decode3.conv.0.weight").Data;
        Assert.Equal(Bits(0xBB51B0DE), decode3[0]); // -0.00319962901994586
        Assert.Equal(Bits(0xBCAA5FB5), decode3[123119]); // -0.020797589793801308
        var bias = w.Get("project_mat.conv.bias").Data;
        Assert.Equal(Bits(0x3B80E5D3), bias[0]); // 0.003933647181838751
        Assert.Equal(Bits(0x3DFFDA4C), bias[3]); // 0.12492808699607849
        Assert.Equal(0.999f, w.Get("backbone.features.0.1.running_var").Data[0]);
    }

    [SkippableFact]
    public void ReadsTheSyntheticDgfSegCheckpoint()
    {
        var path = SharedData.Path("models", "rvm_mobilenetv3_dgf_seg_synthetic.pth");
        SharedData.SkipIfMissing(path);

        var w = PyTorchCheckpoint.Read(path!);

        Assert.Equal(380, w.Count);
        Assert.Equal(new[] { 1, 16, 1, 1 }, w.Get("project_seg.conv.weight").Shape);
        Assert.Equal(new[] { 4, 1, 3, 3 }, w.Get("refiner.box_filter.weight").Shape);
        Assert.Equal(new[] { 16, 24, 1, 1 }, w.Get("refiner.conv.0.weight").Shape);
    }

    [SkippableFact]
    public void ReadsTheSyntheticBgmv2Checkpoint()
    {
        var path = SharedData.Path("models", "bgmv2_mobilenetv2_synthetic.pth");
        SharedData.SkipIfMissing(path);

        var w = PyTorchCheckpoint.Read(path!);

        Assert.Equal(382, w.Count);
        Assert.Equal(new[] { 24, 42, 3, 3 }, w.Get("refiner.conv1.weight").Shape);
    }

    [SkippableFact]
    public void ReadsFromANonSeekableStreamLikeFromTheFile()
    {
        var path = SharedData.Path("models", "rvm_mobilenetv3_fgf.pth");
        SharedData.SkipIfMissing(path);

        using var stream = new ForwardOnlyStream(File.ReadAllBytes(path!));
        var w = PyTorchCheckpoint.Read(stream, "stream.pth");

        Assert.Equal("stream.pth", w.Source);
        Assert.Equal(363, w.Count);
        Assert.Equal(PyTorchCheckpoint.Read(path!).Get("decoder.decode3.conv.0.weight").Data,
            w.Get("decoder.decode3.conv.0.weight").Data);
    }

    [SkippableFact]
    public void TruncatedRealFileIsAOneLineErrorNamingTheFile()
    {
        var real = SharedData.Path("models", "rvm_mobilenetv3_fgf.pth");
        SharedData.SkipIfMissing(real);
        var bytes = File.ReadAllBytes(real!);
        var path = WriteFile("half.pth", bytes[..(bytes.Length / 2)]);

        AssertReadFails(path, "truncated");
    }

    // ---- files made by PthWriter ---------------------------------------------------------------------------

    [Fact]
    public void RoundTripsASmallStateDict()
    {
        var a = new[] { 1f, -2.5f, 3.25f, float.MaxValue, float.Epsilon, -0f };
        var b = new[] { 0.125f, 7f };
        var path = TempPath("small.pth");
        new PthWriter()
            .Add("conv.weight", [1, 2, 3, 1], a)
            .Add("conv.bias", [2], b)
            .AddInt64("bn.num_batches_tracked", [], [12345])
            .Write(path);

        var w = PyTorchCheckpoint.Read(path);

        Assert.Equal(new[] { "conv.weight", "conv.bias", "bn.num_batches_tracked" }, w.Keys);
        Assert.Equal(new[] { 1, 2, 3, 1 }, w.Get("conv.weight", 1, 2, 3, 1).Shape);
        Assert.Equal(a, w.Get("conv.weight").Data);
        Assert.Equal(b, w.Get("conv.bias").Data);
        Assert.Empty(w.Get("bn.num_batches_tracked").Shape);
        Assert.Equal(new[] { 12345f }, w.Get("bn.num_batches_tracked").Data);
    }

    [Theory]
    [InlineData(false, false, false, "archive")]
    [InlineData(true, false, false, "my_model")]
    [InlineData(true, true, true, "x")]
    public void AcceptsTheStateDictVariantsTorchWrites(bool orderedDict, bool metadata, bool parameters, string top)
    {
        var path = TempPath("variant.pth");
        new PthWriter { UseOrderedDict = orderedDict, WriteMetadata = metadata, AsParameters = parameters, TopFolder = top }
            .Add("w", [2, 2], [1, 2, 3, 4])
            .Write(path);

        var w = PyTorchCheckpoint.Read(path);

        Assert.Equal(new[] { 1f, 2, 3, 4 }, w.Get("w", 2, 2).Data);
    }

    [Fact]
    public void AcceptsAnEmptyStateDictAndALittleEndianByteOrderEntry()
    {
        var path = TempPath("empty.pth");
        new PthWriter { ByteOrder = "little" }.Write(path);

        Assert.Equal(0, PyTorchCheckpoint.Read(path).Count);
    }

    [Fact]
    public void ConvertsOtherDTypesToFloat()
    {
        var half = new byte[6];
        BinaryPrimitives.WriteHalfLittleEndian(half, (Half)1.5f);
        BinaryPrimitives.WriteHalfLittleEndian(half.AsSpan(2), (Half)(-0.25f));
        BinaryPrimitives.WriteHalfLittleEndian(half.AsSpan(4), (Half)65504f);
        var bf16 = new byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(bf16, (ushort)(BitConverter.SingleToUInt32Bits(3.5f) >> 16));
        BinaryPrimitives.WriteUInt16LittleEndian(bf16.AsSpan(2), (ushort)(BitConverter.SingleToUInt32Bits(-1e30f) >> 16));
        var f64 = new byte[16];
        BinaryPrimitives.WriteDoubleLittleEndian(f64, 0.1);
        BinaryPrimitives.WriteDoubleLittleEndian(f64.AsSpan(8), -1e30);
        var i32 = new byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(i32, -7);
        BinaryPrimitives.WriteInt32LittleEndian(i32.AsSpan(4), 1 << 20);
        var i64 = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(i64, -3);

        var path = TempPath("dtypes.pth");
        new PthWriter()
            .AddStorageView("h", "HalfStorage", half, 3, 0, [3], null)
            .AddStorageView("bf", "BFloat16Storage", bf16, 2, 0, [2], null)
            .AddStorageView("d", "DoubleStorage", f64, 2, 0, [2], null)
            .AddStorageView("i", "IntStorage", i32, 2, 0, [2], null)
            .AddStorageView("l", "LongStorage", i64, 1, 0, [1, 1], null)
            .Write(path);

        var w = PyTorchCheckpoint.Read(path);

        Assert.Equal(new[] { 1.5f, -0.25f, 65504f }, w.Get("h").Data);
        Assert.Equal(new[] { 3.5f, BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(-1e30f) & 0xFFFF0000) }, w.Get("bf").Data);
        Assert.Equal(new[] { 0.1f, -1e30f }, w.Get("d").Data);   // a double beyond float32 overflows to infinity and is refused (HostileInputTests)
        Assert.Equal(new[] { -7f, 1 << 20 }, w.Get("i").Data);
        Assert.Equal(new[] { -3f }, w.Get("l", 1, 1).Data);
    }

    [Fact]
    public void HonoursStorageOffsetsStridesAndSharedStorages()
    {
        // One storage of 0..11; views: a 3x4 matrix, its transpose, a strided column with an offset, an expanded row.
        var storage = Enumerable.Range(0, 12).Select(i => (float)i).ToArray();
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(storage.AsSpan()).ToArray();
        var path = TempPath("views.pth");
        new PthWriter()
            .AddStorageView("m", "FloatStorage", bytes, 12, 0, [3, 4], null, storageKey: "s")
            .AddStorageView("t", "FloatStorage", bytes, 12, 0, [4, 3], [1, 4], storageKey: "s")
            .AddStorageView("col", "FloatStorage", bytes, 12, 2, [3], [4], storageKey: "s")
            .AddStorageView("tail", "FloatStorage", bytes, 12, 9, [3], null, storageKey: "s")
            .AddStorageView("expanded", "FloatStorage", bytes, 12, 4, [2, 3], [0, 1], storageKey: "s")
            .AddStorageView("none", "FloatStorage", bytes, 12, 0, [0, 5], null, storageKey: "s")
            .Write(path);

        var w = PyTorchCheckpoint.Read(path);

        Assert.Equal(storage, w.Get("m", 3, 4).Data);
        Assert.Equal(new[] { 0f, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11 }, w.Get("t", 4, 3).Data);
        Assert.Equal(new[] { 2f, 6, 10 }, w.Get("col").Data);
        Assert.Equal(new[] { 9f, 10, 11 }, w.Get("tail").Data);
        Assert.Equal(new[] { 4f, 5, 6, 4, 5, 6 }, w.Get("expanded", 2, 3).Data);
        Assert.Empty(w.Get("none", 0, 5).Data);
    }

    [Fact]
    public void WriterCanLeaveKeysOut()
    {
        var path = TempPath("partial.pth");
        new PthWriter()
            .Add("a", [1], [1])
            .Add("b", [1], [2])
            .Add("c", [1], [3])
            .Omit("b")
            .Write(path);

        var w = PyTorchCheckpoint.Read(path);

        Assert.Equal(new[] { "a", "c" }, w.Keys);
        var e = Assert.Throws<WeightsFormatException>(() => w.Get("b"));
        Assert.Contains(path, e.Message);
        Assert.Contains("'b'", e.Message);
    }

    // ---- hostile pickles ------------------------------------------------------------------------------------

    private string WritePickle(string name, byte[] pickle, params (string Name, byte[] Data)[] more) =>
        WriteFile(name, PthWriter.Zip([("archive/data.pkl", pickle), .. more, ("archive/version", "3\n"u8.ToArray())]));

    [Fact]
    public void RefusesOsSystem()
    {
        var pickle = new PickleBuilder().Proto().Global("os", "system").String("echo pwned").Tuple1().Reduce().Stop().ToArray();
        var path = WritePickle("evil.pth", pickle);

        AssertReadFails(path, "pickle global 'os.system' is not allowed in a weights file");
    }

    [Fact]
    public void RefusesPosixSystemAndBuiltinsEval()
    {
        var posix = WritePickle("posix.pth",
            new PickleBuilder().Proto().Global("posix", "system").String("id").Tuple1().Reduce().Stop().ToArray());
        AssertReadFails(posix, "'posix.system'", "not allowed");

        var eval = WritePickle("eval.pth",
            new PickleBuilder().Proto().Global("builtins", "eval").String("1+1").Tuple1().Reduce().Stop().ToArray());
        AssertReadFails(eval, "'builtins.eval'", "not allowed");

        // An allowed module with a name outside the allow-list.
        var load = WritePickle("torchload.pth",
            new PickleBuilder().Proto().Global("torch", "load").Stop().ToArray());
        AssertReadFails(load, "'torch.load'", "not allowed");
    }

    [Fact]
    public void RefusesOpcodesOutsideTheStateDictSubset()
    {
        // INST 'os\nsystem\n' (protocol 0 call), with a MARK and an argument before it.
        var inst = new PickleBuilder().Mark().String("id").Op((byte)'i')
            .Raw("os\nsystem\n"u8.ToArray()).Stop().ToArray();
        AssertReadFails(WritePickle("inst.pth", inst), "pickle opcode 0x69 (INST) at byte", "is not allowed in a weights file");

        var newobj = new PickleBuilder().Proto().Global("collections", "OrderedDict").EmptyTuple().Op(0x81).Stop().ToArray();
        AssertReadFails(WritePickle("newobj.pth", newobj), "pickle opcode 0x81 (NEWOBJ)", "not allowed");

        var unknown = new PickleBuilder().Proto().Op(0xff).Stop().ToArray();
        AssertReadFails(WritePickle("unknown.pth", unknown), "pickle opcode 0xFF (unknown)", "not allowed");
    }

    [Fact]
    public void RefusesCallingAStorageClassOrBuildingANonDict()
    {
        var call = new PickleBuilder().Proto().Global("torch", "FloatStorage").EmptyTuple().Reduce().Stop().ToArray();
        AssertReadFails(WritePickle("callstorage.pth", call), "'torch.FloatStorage'", "not allowed to be called");

        var build = new PickleBuilder().Proto().EmptyList().EmptyDict().Build().Stop().ToArray();
        AssertReadFails(WritePickle("build.pth", build), "BUILD", "list");
    }

    [Fact]
    public void TopObjectMustBeADictOfTensors()
    {
        var list = new PickleBuilder().Proto().EmptyList().Int(1).Append().Stop().ToArray();
        AssertReadFails(WritePickle("list.pth", list), "the pickled object is a list, not a state_dict");

        var nested = new PickleBuilder().Proto().EmptyDict().String("state_dict").EmptyDict().SetItem().Stop().ToArray();
        AssertReadFails(WritePickle("nested.pth", nested), "entry 'state_dict'", "is a dict, not a tensor");
    }

    [Fact]
    public void TruncatedPickleIsAnError()
    {
        var good = new PthWriter().Add("w", [2], [1, 2]).BuildPickle();
        var path = WritePickle("cut.pth", good[..(good.Length - 20)], ("archive/data/0", new byte[8]));

        AssertReadFails(path, "data.pkl ends unexpectedly", "truncated");
    }

    // ---- broken containers and storages ------------------------------------------------------------------

    [Fact]
    public void TextFileIsNotACheckpoint()
    {
        var path = WriteFile("x.pth", "version https://git-lfs.github.com/spec/v1\n"u8.ToArray());

        AssertReadFails(path, "not a PyTorch checkpoint", "not a zip archive", "version https");
    }

    [Fact]
    public void EmptyFileIsAnError() => AssertReadFails(WriteFile("empty.pth", []), "empty");

    [Fact]
    public void MissingFileIsAnError() => AssertReadFails(TempPath("nope.pth"), "not found");

    [Fact]
    public void LegacyFormatSaysToResave()
    {
        // What torch < 1.6 wrote first: the magic number 0x1950a86a20f9469cfc6c as a protocol-2 LONG1.
        var legacy = new byte[] { 0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e, 0x80, 0x02 };
        var path = WriteFile("old.pth", legacy);

        AssertReadFails(path, "legacy", "torch >= 1.6");
    }

    [Fact]
    public void ZipWithoutDataPklIsAnError()
    {
        var path = WriteFile("nopkl.pth", PthWriter.Zip([("archive/version", "3\n"u8.ToArray())]));

        AssertReadFails(path, "no data.pkl");
    }

    [Fact]
    public void BigEndianByteOrderIsRefused()
    {
        var path = TempPath("big.pth");
        new PthWriter { ByteOrder = "big" }.Add("w", [1], [1]).Write(path);

        AssertReadFails(path, "big-endian");
    }

    [Fact]
    public void StorageShorterThanTheTensorNeedsNamesTheTensor()
    {
        var path = TempPath("short.pth");
        new PthWriter()
            .Add("ok", [2], [1, 2])
            .Add("layer.weight", [4, 4], new float[16])
            .TruncateStorage("layer.weight", 40)
            .Write(path);

        AssertReadFails(path, "tensor 'layer.weight'", "needs 64 bytes", "holds only 40");
    }

    [Fact]
    public void MissingStorageEntryNamesTheTensor()
    {
        var pickle = new PthWriter().Add("layer.bias", [3], [1, 2, 3]).BuildPickle();
        var path = WritePickle("nostorage.pth", pickle);

        AssertReadFails(path, "tensor 'layer.bias'", "archive/data/0", "missing");
    }

    [Fact]
    public void UnsupportedDTypeNamesTheTensorAndDType()
    {
        var path = TempPath("bool.pth");
        new PthWriter().AddStorageView("mask", "BoolStorage", [1, 0], 2, 0, [2], null).Write(path);

        AssertReadFails(path, "tensor 'mask'", "bool");
    }

    /// <summary>A read-only stream that cannot seek.</summary>
    private sealed class ForwardOnlyStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
        public override long Seek(long offset, SeekOrigin loc) => throw new NotSupportedException();
        public override long Position { get => base.Position; set => throw new NotSupportedException(); }
        public override long Length => throw new NotSupportedException();
    }
}
