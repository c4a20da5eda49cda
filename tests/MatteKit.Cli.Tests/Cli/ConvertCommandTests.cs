using MatteKit.Compositing;
using MatteKit.Media;
using MatteKit.Tests.TestSupport;
using MatteKit.Weights;
using Xunit.Abstractions;

namespace MatteKit.Tests.Cli;

/// <summary>The built CLI run as a process on PNG inputs: the sample image, folders of frames, bad weights and bad inputs.</summary>
public sealed class ConvertCommandTests
{
    private static readonly string Sample = Path.Combine(SharedData.RepoRoot, "samples", "astronaut.png");
    private readonly ITestOutputHelper _log;

    public ConvertCommandTests(ITestOutputHelper log) => _log = log;

    [Fact]
    public void SampleImageGivesPngAlphaForegroundAndComposition()
    {
        using var dir = new TempFolder();
        string alpha = dir.File("alpha.png"), fgr = dir.File("foreground.png"), com = dir.File("composition.png");
        var r = CliRunner.Run("convert", Sample, "--output-alpha", alpha, "--output-foreground", fgr, "--output-composition", com);
        _log.WriteLine(r.StdOut + r.StdErr);
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("downsample ratio auto -> 1", r.StdOut);

        var a = PngFile.ReadGray(alpha);
        var f = PngFile.ReadRgb(fgr);
        var c = PngFile.ReadRgb(com);
        Assert.Equal((512, 512), (a.Width, a.Height));
        Assert.Equal((512, 512), (f.Width, f.Height));
        // A portrait: clearly some person and some background.
        double person = a.Pixels.Count(v => v > 200) / (double)a.Pixels.Length;
        double background = a.Pixels.Count(v => v < 50) / (double)a.Pixels.Length;
        _log.WriteLine($"alpha > 200 on {person:P1} of the pixels, < 50 on {background:P1}");
        Assert.InRange(person, 0.2, 0.9);
        Assert.InRange(background, 0.05, 0.8);

        var expected = new byte[512 * 512 * 3];
        Compositor.OverColor(f.Pixels, a.Pixels, RgbColor.Green, expected);
        Assert.Equal(expected, c.Pixels);
        Assert.Equal(new[] { "alpha.png", "composition.png", "foreground.png" },
            Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order().ToArray());
    }

    [Fact]
    public void FolderOfFramesGivesFoldersOfOutputsAndTransparentComposition()
    {
        using var dir = new TempFolder();
        var input = Directory.CreateDirectory(dir.File("frames")).FullName;
        foreach (var i in new[] { 1, 2, 10 })
            PngFile.WriteRgb(Path.Combine(input, $"f{i}.png"), 48, 32, SyntheticFrames.Rgb24(48, 32, i));
        var r = CliRunner.Run("convert", "--input-source", input, "--output-alpha", dir.File("pha"),
            "--output-composition", dir.File("com"), "--background", "transparent", "--downsample-ratio", "0.5", "--threads", "1");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Equal(new[] { "f1.png", "f10.png", "f2.png" }, Directory.GetFiles(dir.File("pha")).Select(Path.GetFileName).Order().ToArray());
        var rgba = PngFile.ReadRgba(Path.Combine(dir.File("com"), "f10.png"));
        var alpha = PngFile.ReadGray(Path.Combine(dir.File("pha"), "f10.png"));
        for (int i = 0; i < alpha.Pixels.Length; i++) Assert.Equal(alpha.Pixels[i], rgba.Pixels[4 * i + 3]);
        Assert.Empty(Directory.GetDirectories(dir.Path, ".*"));
    }

    [Fact]
    public void SeqChunkGivesTheSameFramesAsOneFramePerCall()
    {
        using var dir = new TempFolder();
        var input = Directory.CreateDirectory(dir.File("frames")).FullName;
        // Eight frames, the fourth of another size: chunks of 3 are cut at the size change and the last one is shorter.
        for (int i = 1; i <= 8; i++)
        {
            var (w, h) = i == 4 ? (40, 24) : (48, 32);
            PngFile.WriteRgb(Path.Combine(input, $"f{i}.png"), w, h, SyntheticFrames.Rgb24(w, h, i));
        }
        foreach (var chunk in new[] { "1", "3" })
        {
            var r = CliRunner.Run("convert", "--input-source", input, "--output-alpha", dir.File("pha" + chunk),
                "--output-foreground", dir.File("fgr" + chunk), "--downsample-ratio", "0.5", "--seq-chunk", chunk, "--threads", "1");
            Assert.True(r.ExitCode == 0, r.StdErr);
        }
        // Chunked and single calls agree to float rounding (ChunkedProcessingTests), so a byte may round the other way.
        int compared = 0, off = 0;
        foreach (var output in new[] { "pha", "fgr" })
        {
            var files = Directory.GetFiles(dir.File(output + "1")).Select(Path.GetFileName).Order().ToArray();
            Assert.Equal(8, files.Length);
            Assert.Equal(files, Directory.GetFiles(dir.File(output + "3")).Select(Path.GetFileName).Order().ToArray());
            foreach (var name in files)
            {
                var single = PngFile.ReadRgba(Path.Combine(dir.File(output + "1"), name!)).Pixels;
                var chunked = PngFile.ReadRgba(Path.Combine(dir.File(output + "3"), name!)).Pixels;
                Assert.Equal(single.Length, chunked.Length);
                for (int i = 0; i < single.Length; i++)
                {
                    Assert.True(Math.Abs(single[i] - chunked[i]) <= 1, $"{output}/{name}: byte {i} is {chunked[i]} chunked, {single[i]} single");
                    compared++;
                    if (single[i] != chunked[i]) off++;
                }
            }
        }
        Assert.True(off <= compared / 1000, $"{off} of {compared} bytes differ");
    }

    [Fact]
    public void TruncatedTfjsShardIsOneClearLine()
    {
        using var dir = new TempFolder();
        var model = Directory.CreateDirectory(dir.File("model")).FullName;
        CopyEmbeddedModel(model);
        var shard = Path.Combine(model, "group1-shard1of1.bin");
        var bytes = File.ReadAllBytes(shard);
        File.WriteAllBytes(shard, bytes[..(bytes.Length / 2)]);
        AssertFailsCleanly(dir, new[] { "--weights", Path.Combine(model, "model.json") }, "group1-shard1of1.bin", "truncated");
    }

    [Fact]
    public void JsonThatIsNotAModelIsOneClearLine()
    {
        using var dir = new TempFolder();
        File.WriteAllText(dir.File("model.json"), "{\"hello\": 1}");
        AssertFailsCleanly(dir, new[] { "--weights", dir.File("model.json") }, "model.json", "not a TF.js graph model");
    }

    [Fact]
    public void PthWithAMissingKeyNamesTheKey()
    {
        using var dir = new TempFolder();
        PthWriter.Write(dir.File("weights.pth"), AllTensors(TestWeights.Default), "decoder.decode2.gru.hh.0.weight");
        AssertFailsCleanly(dir, new[] { "--weights", dir.File("weights.pth") }, "weights.pth", "decoder.decode2.gru.hh.0.weight");
    }

    [Fact]
    public void PthWithAWrongShapeNamesTheKey()
    {
        using var dir = new TempFolder();
        var tensors = AllTensors(TestWeights.Default)
            .Select(t => t.Name == "project_mat.conv.weight" ? new WeightTensor(t.Name, new[] { 4, 8, 1, 1 }, new float[32]) : t);
        PthWriter.Write(dir.File("weights.pth"), tensors);
        AssertFailsCleanly(dir, new[] { "--weights", dir.File("weights.pth") }, "project_mat.conv.weight", "[4, 8, 1, 1]");
    }

    [Fact]
    public void PickleWithADisallowedOpcodeIsRefused()
    {
        using var dir = new TempFolder();
        // INST ('i'): builds an object of any class by name, so a weights file must never use it.
        var pickle = new PickleBuilder().Proto().Mark().Raw("ios\nsystem\n"u8.ToArray()).Stop().ToArray();
        File.WriteAllBytes(dir.File("evil.pth"), PthWriter.Zip(new[] { ("archive/data.pkl", pickle), ("archive/version", "3\n"u8.ToArray()) }));
        AssertFailsCleanly(dir, new[] { "--weights", dir.File("evil.pth") }, "evil.pth", "INST");
    }

    [Fact]
    public void BadInputsAndOptionsAreOneClearLine()
    {
        using var dir = new TempFolder();
        File.WriteAllText(dir.File("text.png"), "this is not an image");
        Directory.CreateDirectory(dir.File("empty"));

        Expect(1, "no such file", "convert", dir.File("missing.png"), "--output-alpha", dir.File("a.png"));
        Expect(1, "text.png", "convert", dir.File("text.png"), "--output-alpha", dir.File("a.png"));
        Expect(1, "folder holds no images", "convert", dir.File("empty"), "--output-alpha", dir.File("a"));
        Expect(1, "unsupported output extension '.xyz'", "convert", Sample, "--output-alpha", dir.File("a.xyz"));
        Expect(1, "does not exist", "convert", Sample, "--output-alpha", dir.File("nowhere/a.png"));
        Expect(2, "no output requested", "convert", Sample);
        Expect(2, "unknown option --frobnicate", "convert", Sample, "--output-alpha", dir.File("a.png"), "--frobnicate", "1");
        Expect(2, "--downsample-ratio", "convert", Sample, "--output-alpha", dir.File("a.png"), "--downsample-ratio", "2");
        Expect(2, "same path", "convert", Sample, "--output-alpha", dir.File("a.png"), "--output-foreground", dir.File("a.png"));
        Expect(1, "background", "convert", Sample, "--output-composition", dir.File("a.png"), "--background", "plaid");
        // A priming the user asked for that would do nothing is said, not ignored.
        Expect(2, "--priming primes RVM on a file or a folder of images; a stream is read once", "convert", "-", "--output-alpha", dir.File("a.mp4"), "--priming", "5");
        Expect(2, "--priming primes RVM on a file or a folder of images; a selfie model has no recurrent state",
            "convert", Sample, "--output-alpha", dir.File("a.png"), "--model", "selfie", "--priming", "5");
        Assert.False(File.Exists(dir.File("a.png")));
    }

    private void Expect(int exitCode, string message, params string[] args)
    {
        var r = CliRunner.Run(args);
        _log.WriteLine($"exit {r.ExitCode}: {r.StdErr.Trim()}");
        Assert.Equal(exitCode, r.ExitCode);
        Assert.Contains(message, r.StdErr);
        Assert.Single(r.StdErr.Trim().Split('\n'));
    }

    private void AssertFailsCleanly(TempFolder dir, string[] weightsArgs, params string[] mustContain)
    {
        var output = dir.File("alpha-out.png");
        var r = CliRunner.Run(new[] { "convert", Sample, "--output-alpha", output }.Concat(weightsArgs).ToArray());
        _log.WriteLine($"exit {r.ExitCode}: {r.StdErr.Trim()}");
        Assert.Equal(1, r.ExitCode);
        var line = r.StdErr.Trim();
        Assert.Single(line.Split('\n'));
        foreach (var s in mustContain) Assert.Contains(s, line);
        Assert.False(File.Exists(output));
    }

    private static IEnumerable<WeightTensor> AllTensors(WeightSet set) => set.Keys.Select(k => set.Get(k));

    private static void CopyEmbeddedModel(string folder)
    {
        foreach (var name in new[] { "model.json", "group1-shard1of1.bin" })
        {
            using var s = typeof(WeightSet).Assembly.GetManifestResourceStream("MatteKit.Models.rvm_mobilenetv3." + name)!;
            using var f = File.Create(Path.Combine(folder, name));
            s.CopyTo(f);
        }
    }
}
