using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.Json.Nodes;
using MatteKit.Media;
using MatteKit.Selfie;
using MatteKit.Tests.TestSupport;
using MatteKit.Weights;
using Xunit.Abstractions;

namespace MatteKit.Tests.Cli;

/// <summary>
/// Defects 7, 11, 12, 17, 20 and 21 of issue 24 (and compose-dataset reading its own output), each as a careless
/// or hostile user met it: what was done, and what MatteKit does now, printed to the test log. Each test failed
/// before the fix.
/// </summary>
public sealed class HostileInputRound2Tests
{
    private static readonly string SampleImage = Path.Combine(SharedData.RepoRoot, "samples", "astronaut.png");
    private static readonly string SampleClip = Path.Combine(SharedData.RepoRoot, "samples", "astronaut_zoom.mp4");
    private readonly ITestOutputHelper _log;

    public HostileInputRound2Tests(ITestOutputHelper log) => _log = log;

    // 7. evaluate's outputs over its inputs ---------------------------------------------------------------

    [SkippableFact]
    public void EvaluateNeverWritesOverTheFramesItScoresOrOneOutputOverAnother()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "uses ln for a hard link");
        using var dir = new TempFolder();
        foreach (var side in new[] { "true", "pred" })
            foreach (var layer in new[] { "pha", "fgr" })
            {
                var folder = Directory.CreateDirectory(Path.Combine(dir.Path, side, "clip", layer)).FullName;
                for (int i = 0; i < 2; i++)
                {
                    if (layer == "pha") PngFile.WriteGray(Path.Combine(folder, $"{i:D4}.png"), 2, 2, [255, 0, 255, (byte)(side == "pred" ? i * 100 : 0)]);
                    else PngFile.WriteRgb(Path.Combine(folder, $"{i:D4}.png"), 2, 2, new byte[12]);
                }
            }
        var truth = dir.File("true");
        var predicted = dir.File("pred");
        var frames = Directory.GetFiles(dir.Path, "*.png", SearchOption.AllDirectories);
        var before = frames.ToDictionary(f => f, FileHash.Of);
        File.CreateSymbolicLink(dir.File("link.html"), Path.Combine(truth, "clip", "pha", "0001.png"));
        Assert.Equal(0, Run("ln", Path.Combine(predicted, "clip", "fgr", "0000.png"), dir.File("hard.csv")));

        foreach (var (what, extra, expected) in new (string, string[], string)[]
        {
            ("--json on a true alpha frame", ["--json", Path.Combine(truth, "clip", "pha", "0000.png")], "--json is a ground-truth frame"),
            ("--csv on a predicted foreground frame", ["--csv", Path.Combine(predicted, "clip", "fgr", "0001.png")], "--csv is a predicted frame"),
            ("--report through ../ onto a predicted alpha", ["--report", Path.Combine(predicted, "clip", "fgr", "..", "pha", "0000.png")], "--report is a predicted frame"),
            ("--report through a symbolic link", ["--report", dir.File("link.html")], "--report is a ground-truth frame"),
            ("--csv through a hard link", ["--csv", dir.File("hard.csv")], "--csv is a predicted frame"),
            ("--json and --csv on one file", ["--json", dir.File("s.txt"), "--csv", Path.Combine(dir.Path, ".", "s.txt")], "--json and --csv name the same path"),
            ("--csv and --report on one file", ["--csv", dir.File("r.html"), "--report", dir.File("r.html")], "--csv and --report name the same path"),
        })
        {
            var r = CliRunner.Run(["evaluate", "--pred", predicted, "--true", truth, .. extra]);
            _log.WriteLine($"evaluate {what}: exit {r.ExitCode}: {r.StdErr.Trim()}");
            Assert.Equal(2, r.ExitCode);
            Assert.Contains(expected, r.StdErr);
            Assert.Single(r.StdErr.Trim().Split('\n'));
        }
        foreach (var (file, hash) in before) Assert.Equal(hash, FileHash.Of(file));
        Assert.False(File.Exists(dir.File("s.txt")) || File.Exists(dir.File("r.html")));
        Assert.Empty(Directory.GetFiles(dir.Path, ".*", SearchOption.AllDirectories));

        // Outputs beside the folders are still written.
        var ok = CliRunner.Run("evaluate", "--pred", predicted, "--true", truth, "--json", dir.File("s.json"), "--csv", dir.File("s.csv"), "--report", dir.File("r.html"));
        _log.WriteLine($"evaluate with outputs beside the folders: exit {ok.ExitCode}");
        Assert.True(ok.ExitCode == 0, ok.StdErr);
        Assert.True(File.Exists(dir.File("s.json")) && File.Exists(dir.File("s.csv")) && File.Exists(dir.File("r.html")));
    }

    // 11. A model that declares a huge input ----------------------------------------------------------------

    [Fact]
    public void ATfliteDeclaringAHugeInputIsRefusedWhenLoaded()
    {
        using var dir = new TempFolder();
        foreach (int side in new[] { 20000, 46341 })
        {
            var path = dir.File($"huge{side}.tflite");
            File.WriteAllBytes(path, TinyTflite.Build(side, side));
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            var e = Assert.Throws<WeightsFormatException>(() => SelfieSegmenter.Load(path).Dispose());
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
            _log.WriteLine($"{new FileInfo(path).Length}-byte .tflite declaring {side}x{side}: {allocated / 1024} KiB allocated; {e.Message}");
            Assert.StartsWith($"{path}: tensor 'image' [1x{side}x{side}x3]", e.Message);
            Assert.Contains("elements a tensor may have", e.Message);
            Assert.True(allocated < 16 << 20, $"{allocated} bytes allocated");
        }

        // Under the per-tensor bound, but larger than a selfie network's input may be.
        var wide = dir.File("wide.tflite");
        File.WriteAllBytes(wide, TinyTflite.Build(1100, 1100));
        var tooWide = Assert.Throws<WeightsFormatException>(() => SelfieSegmenter.Load(wide).Dispose());
        _log.WriteLine($"1100x1100 input: {tooWide.Message}");
        Assert.Contains($"height and width must be 1 to {SelfieNetwork.MaxInputSide}", tooWide.Message);

        // The same crafted file at a sane size is a working model: the refusals are the size's.
        var small = dir.File("small.tflite");
        File.WriteAllBytes(small, TinyTflite.Build(64, 64));
        using (var segmenter = SelfieSegmenter.Load(small))
        {
            var alpha = new byte[32 * 16];
            segmenter.Segment(new byte[32 * 16 * 3], 32, 16, alpha);
            Assert.Equal((64, 64), segmenter.NetworkSize);
        }

        var r = RunBounded(TimeSpan.FromSeconds(120), "convert", SampleImage, "--model", "selfie", "--weights", dir.File("huge20000.tflite"), "--output-alpha", dir.File("a.png"));
        _log.WriteLine($"convert --model selfie --weights huge20000.tflite: exit {r.ExitCode}: {r.StdErr.Trim()}");
        Assert.Equal(1, r.ExitCode);
        Assert.Single(r.StdErr.Trim().Split('\n'));
        Assert.Contains("huge20000.tflite: tensor 'image'", r.StdErr);
        Assert.False(File.Exists(dir.File("a.png")));
    }

    // 20. Damaged .tflite files ------------------------------------------------------------------------------

    [Fact]
    public void CraftedTfliteDamageIsAWeightsFormatErrorNamingTheFileAndTensor()
    {
        using var dir = new TempFolder();
        foreach (var (what, bytes, expected) in new (string, byte[], string)[]
        {
            ("a kernel of rank 1", TinyTflite.Build(8, 8, kernelShape: [3]), "operator 0 (CONV_2D) writing 'mask' [1x8x8x1] Float32 has kernel 'kernel' [3]"),
            ("a kernel with an empty side", TinyTflite.Build(8, 8, kernelShape: [1, 0, 1, 3]), "has kernel 'kernel' [1x0x1x3]"),
            ("an operator without outputs", TinyTflite.Build(8, 8, operatorOutputs: []), "damaged TFLite file: operator 0 writes no tensor"),
            ("an operator writing tensor -1", TinyTflite.Build(8, 8, operatorOutputs: [-1]), "operator 0 writes tensor -1 of 4"),
            ("an operator writing tensor 99", TinyTflite.Build(8, 8, operatorOutputs: [99]), "operator 0 writes tensor 99 of 4"),
            ("an operator writing two tensors", TinyTflite.Build(8, 8, operatorOutputs: [3, 3]), "writes 2 tensors"),
            ("stride 0", TinyTflite.Build(8, 8, stride: 0), "has strides 0x0"),
            ("a kernel for 5 input channels", TinyTflite.Build(8, 8, kernelShape: [1, 1, 1, 5]), "does not fit its operands"),
        })
            RefusedNamingTheFile(dir, what, bytes, expected);

        // The command line: one line, exit 1, no stack trace; for convert and for live, which aborted.
        var rank1 = dir.File("a-kernel-of-rank-1.tflite");
        var convert = RunBounded(TimeSpan.FromSeconds(120), "convert", SampleImage, "--model", "selfie", "--weights", rank1, "--output-alpha", dir.File("a.png"));
        _log.WriteLine($"convert with a rank-1 kernel: exit {convert.ExitCode}: {convert.StdErr.Trim()}");
        Assert.Equal(1, convert.ExitCode);
        Assert.Equal($"mattekit: {rank1}: operator 0 (CONV_2D) writing 'mask' [1x8x8x1] Float32 has kernel 'kernel' [3] Float32; a kernel has rank 4 and no empty dimension",
            convert.StdErr.Trim());
        var live = RunBounded(TimeSpan.FromSeconds(120), "live", "-", "--model", "selfie", "--weights", dir.File("an-operator-without-outputs.tflite"),
            "--output", dir.File("live.mp4"), "--quiet");
        _log.WriteLine($"live with an operator without outputs: exit {live.ExitCode}: {live.StdErr.Trim()}");
        Assert.Equal(1, live.ExitCode);
        Assert.Single(live.StdErr.Trim().Split('\n'));
        Assert.Contains("an-operator-without-outputs.tflite: damaged TFLite file: operator 0 writes no tensor", live.StdErr);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.png").Concat(Directory.GetFiles(dir.Path, "*.mp4")));
    }

    [Theory]
    [InlineData("selfie_segmentation.tflite")]
    [InlineData("selfie_segmentation_landscape.tflite")]
    public void TheShippedModelRewrittenOrBitFlippedIsAlwaysAWeightsFormatErrorNamingTheFile(string file)
    {
        using var dir = new TempFolder();
        var original = File.ReadAllBytes(Path.Combine(SharedData.RepoRoot, "models", "mediapipe_selfie", file));
        var model = TfliteModel.Read(original, "general");
        var at = new FlatBufferOffsets(original);
        int graph = at.Tables(at.Root, 2)[0];
        int[] tensorTables = at.Tables(graph, 0), operatorTables = at.Tables(graph, 3);
        int conv = model.Operators.Select((op, i) => (op, i)).First(x => x.op.Code == TfliteOp.Conv2D && x.op.Options!.Value.Has(2)).i;
        var kernel = model.Tensors[model.Operators[conv].Inputs[1]];

        byte[] Edited(Action<byte[]> edit)
        {
            var copy = (byte[])original.Clone();
            edit(copy);
            return copy;
        }
        static void Put(byte[] bytes, int position, int value) => BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(position), value);
        int inputShape = at.Vector(tensorTables[model.Inputs[0]], 0);
        int kernelShape = at.Vector(tensorTables[kernel.Index], 0);
        int convInputs = at.Vector(operatorTables[conv], 1), convOutputs = at.Vector(operatorTables[conv], 2);
        int optionsOffset = at.Field(operatorTables[conv], 4);
        int convStrideH = at.Field(optionsOffset + at.Int32(optionsOffset), 2);
        string convName = $"operator {conv} (CONV_2D) writing {model.Tensors[model.Operators[conv].Outputs[0]]}";
        int strideW = model.Operators[conv].Options!.Value.Int32(1, 1);

        foreach (var (what, bytes, expected) in new (string, byte[], string)[]
        {
            ("the input declared 20000x20000", Edited(b => { Put(b, inputShape + 8, 20000); Put(b, inputShape + 12, 20000); }), "elements a tensor may have"),
            ("a kernel shape cut to rank 1", Edited(b => Put(b, kernelShape, 1)), "into another shape"),
            ("a kernel shape of rank 100", Edited(b => Put(b, kernelShape, 100)), $"tensor {kernel.Index} '{kernel.Name}' has rank 100, more than the 8"),
            ("a kernel side made 0", Edited(b => Put(b, kernelShape + 8, 0)), "into another shape"),
            ("an operator's output list emptied", Edited(b => Put(b, convOutputs, 0)), $"operator {conv} writes no tensor"),
            ("an operator writing tensor 99999", Edited(b => Put(b, convOutputs + 4, 99999)), $"operator {conv} writes tensor 99999"),
            ("an operator's kernel left out", Edited(b => Put(b, convInputs + 8, -1)), $"{convName} leaves out input 1"),
            ("an operator's kernel index past the tensors", Edited(b => Put(b, convInputs + 8, 1 << 30)), $"operator {conv} reads tensor {1 << 30} of {model.Tensors.Count}"),
            ("an operator reading its own output", Edited(b => Put(b, convInputs + 4, model.Operators[conv].Outputs[0])), "is read before any operator writes it"),
            ("stride 0", Edited(b => Put(b, convStrideH, 0)), $"{convName} has strides {strideW}x0"),
            ("stride -7", Edited(b => Put(b, convStrideH, -7)), "has strides"),
        })
            RefusedNamingTheFile(dir, what, bytes, expected);

        // Bit flips and random bytes anywhere outside the weights' bytes (a changed weight is still a model): each
        // either loads and runs, or is a WeightsFormatException naming the file, never another exception.
        var weightBytes = at.Tables(at.Root, 4).Select(b => at.Vector(b, 0)).Where(v => v >= 0)
            .Select(v => (Start: v + 4, End: v + 4 + at.Count(v))).ToList();
        const int Flips = 3000;
        var random = new Random(24);
        var flipped = dir.File("flipped.tflite");
        int refused = 0, loaded = 0, ran = 0;
        var sw = Stopwatch.StartNew();
        for (int trial = 0; trial < Flips; trial++)
        {
            int position;
            do position = random.Next(8, original.Length);
            while (weightBytes.Any(w => position >= w.Start && position < w.End));
            var damaged = (byte[])original.Clone();
            if (trial % 2 == 0) damaged[position] ^= (byte)(1 << random.Next(8));
            else damaged[position] = (byte)random.Next(256);
            File.WriteAllBytes(flipped, damaged);
            try
            {
                using var segmenter = SelfieSegmenter.Load(flipped, new SelfieOptions { Threads = 1 });
                loaded++;
                if (ran < 40)
                {
                    // ONNX Runtime takes the translation too, and runs it.
                    segmenter.Segment(new byte[48 * 32 * 3], 48, 32, new byte[48 * 32]);
                    ran++;
                }
            }
            catch (WeightsFormatException e)
            {
                refused++;
                Assert.StartsWith(flipped + ": ", e.Message);
                Assert.DoesNotContain('\n', e.Message);
            }
            catch (Exception e)
            {
                Assert.Fail($"bit {position}: {e.GetType().Name}: {e.Message}");
            }
        }
        _log.WriteLine($"{Flips} bit flips and random bytes outside the weights: {refused} refused in one line naming the file, {loaded} still load ({ran} run); {sw.Elapsed.TotalSeconds:F1} s");
        Assert.True(refused > Flips / 10, $"only {refused} refused: the flips missed the structure");
    }

    // 12 and 17. Devices and FIFOs named as images, backgrounds and models -------------------------------------

    [SkippableFact]
    public void DevicesAndFifosAreRefusedAsImagesBackgroundsAndModelsWithoutReadingThem()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "uses /dev/zero and mkfifo");
        using var dir = new TempFolder();
        File.CreateSymbolicLink(dir.File("zero.png"), "/dev/zero");
        File.CreateSymbolicLink(dir.File("zero.tflite"), "/dev/zero");
        File.CreateSymbolicLink(dir.File("zero.json"), "/dev/zero");
        Assert.Equal(0, Run("mkfifo", dir.File("fifo.png")));
        Assert.Equal(0, Run("mkfifo", dir.File("fifo.tflite")));
        var foregrounds = Cutouts(dir, "fg", "person");
        var zeroBackgrounds = Directory.CreateDirectory(dir.File("bg-zero")).FullName;
        PngFile.WriteRgb(Path.Combine(zeroBackgrounds, "a.png"), 64, 36, new byte[64 * 36 * 3]);
        File.CreateSymbolicLink(Path.Combine(zeroBackgrounds, "b.png"), "/dev/zero");
        var fifoBackgrounds = Directory.CreateDirectory(dir.File("bg-fifo")).FullName;
        PngFile.WriteRgb(Path.Combine(fifoBackgrounds, "a.png"), 64, 36, new byte[64 * 36 * 3]);
        Assert.Equal(0, Run("mkfifo", Path.Combine(fifoBackgrounds, "b.png")));
        var zeroCutout = Cutouts(dir, "fg-zero", "person");
        File.Delete(Path.Combine(zeroCutout, "person", "alpha.png"));
        File.CreateSymbolicLink(Path.Combine(zeroCutout, "person", "alpha.png"), "/dev/zero");

        foreach (var (what, args, file, kind) in new (string, string[], string, string)[]
        {
            ("convert --background /dev/zero as .png", ["convert", SampleImage, "--background", dir.File("zero.png"), "--output-composition", dir.File("c.png")], "zero.png", "a device"),
            ("convert --background a FIFO .png", ["convert", SampleImage, "--background", dir.File("fifo.png"), "--output-composition", dir.File("c.png")], "fifo.png", "a FIFO"),
            ("convert --model selfie --weights /dev/zero as .tflite", ["convert", SampleImage, "--model", "selfie", "--weights", dir.File("zero.tflite"), "--output-alpha", dir.File("a.png")], "zero.tflite", "a device"),
            ("convert --model selfie --weights a FIFO .tflite", ["convert", SampleImage, "--model", "selfie", "--weights", dir.File("fifo.tflite"), "--output-alpha", dir.File("a.png")], "fifo.tflite", "a FIFO"),
            ("convert --weights /dev/zero as model.json", ["convert", SampleImage, "--weights", dir.File("zero.json"), "--output-alpha", dir.File("a.png")], "zero.json", "a device"),
            ("compose-dataset with /dev/zero among the backgrounds", ["compose-dataset", "--foregrounds", foregrounds, "--backgrounds", zeroBackgrounds, "--out", dir.File("ds"), "--size", "64x36", "--frames", "1"], "b.png", "a device"),
            ("compose-dataset with a FIFO among the backgrounds", ["compose-dataset", "--foregrounds", foregrounds, "--backgrounds", fifoBackgrounds, "--out", dir.File("ds"), "--size", "64x36", "--frames", "1"], "b.png", "a FIFO"),
            ("compose-dataset with /dev/zero as a cut-out's alpha.png", ["compose-dataset", "--foregrounds", zeroCutout, "--backgrounds", dir.File("bg-fifo/a.png"), "--out", dir.File("ds"), "--size", "64x36", "--frames", "1"], "alpha.png", "a device"),
        })
        {
            var r = RunBounded(TimeSpan.FromSeconds(90), args);
            _log.WriteLine($"{what}: exit {r.ExitCode}, peak {r.PeakRssKiB / 1024} MiB: {r.StdErr.Trim()}");
            Assert.Equal(1, r.ExitCode);
            Assert.Single(r.StdErr.Trim().Split('\n'));
            Assert.Contains($"{file}: is {kind}", r.StdErr);
            Assert.Contains("only regular files are read", r.StdErr);
            Assert.True(r.PeakRssKiB < 1 << 20, $"peak {r.PeakRssKiB} KiB");
        }
        Assert.False(Directory.Exists(dir.File("ds")));
        Assert.Equal(["fifo.png", "zero.png"], Directory.GetFiles(dir.Path, "*.png").Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToArray());

        // The readers themselves, for the library's users.
        var png = Assert.Throws<MediaFormatException>(() => PngFile.ReadRgb(dir.File("zero.png")));
        Assert.Equal($"{dir.File("zero.png")}: is a device, not a PNG image; only regular files are read", png.Message);
        var tflite = Assert.Throws<WeightsFormatException>(() => TfliteModel.Read(dir.File("fifo.tflite")));
        Assert.Equal($"{dir.File("fifo.tflite")}: is a FIFO (named pipe), not a TFLite model; only regular files are read", tflite.Message);
    }

    // 21. --subject that no frame can meet; choices in a plan ---------------------------------------------

    [Fact]
    public void ASubjectNobodyCanBeIsAUsageErrorSayingWhatWasSeen()
    {
        using var dir = new TempFolder();
        foreach (var (subject, expected) in new[]
        {
            ("99999,99999", "--subject 99999,99999: the point lies outside the frame (512x512); give X below 512 and Y below 512"),
            ("1e38,1e38", "--subject 1E+38,1E+38: the point lies outside the frame (512x512)"),
            ("100,512", "--subject 100,512: the point lies outside the frame (512x512)"),
            ("5", "--subject 5: 1 person was detected in frame 0, the first where anyone is seen (index 0)"),
        })
        {
            var r = RunBounded(TimeSpan.FromSeconds(120), "convert", SampleImage, "--subject", subject, "--output-alpha", dir.File("a.png"), "--threads", "2");
            _log.WriteLine($"--subject {subject}: exit {r.ExitCode}: {r.StdErr.Trim()}");
            Assert.Equal(2, r.ExitCode);
            Assert.Single(r.StdErr.Trim().Split('\n'));
            Assert.Contains(expected, r.StdErr);
            Assert.False(File.Exists(dir.File("a.png")));
        }
        var chosen = RunBounded(TimeSpan.FromSeconds(120), "convert", SampleImage, "--subject", "0", "--output-alpha", dir.File("a.png"), "--threads", "2");
        _log.WriteLine($"--subject 0: exit {chosen.ExitCode}: {chosen.StdOut.Trim().Split('\n').FirstOrDefault(l => l.Contains("subject"))}");
        Assert.True(chosen.ExitCode == 0, chosen.StdErr);
        Assert.Contains(PngFile.ReadGray(dir.File("a.png")).Pixels, v => v > 0);
    }

    [SkippableFact]
    public void APlanEditedToNameUnknownChoicesSaysWhichFieldAndWhatItMayBe()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        var plan = dir.File("plan.json");
        var made = CliRunner.Run("plan", SampleClip, "--output-alpha", dir.File("a.mp4"), "--chunk-frames", "10", "--out", plan);
        Assert.True(made.ExitCode == 0, made.StdErr);
        var original = File.ReadAllText(plan);
        foreach (var (what, edit, expected) in new (string, Action<JsonObject>, string)[]
        {
            ("model 'Evil'", p => p["options"]!["matting"]!["model"] = "Evil", "options.matting.model is 'Evil', not one of rvm, selfie, selfie_landscape"),
            ("model '7'", p => p["options"]!["matting"]!["model"] = "7", "options.matting.model is '7'"),
            ("model 7", p => p["options"]!["matting"]!["model"] = 7, "options.matting.model is a number, not one of"),
            ("model null", p => p["options"]!["matting"]!["model"] = null, "options.matting.model is missing"),
            ("mask_edge 'Evil'", p => p["options"]!["matting"]!["mask_edge"] = "Evil", "options.matting.mask_edge is 'Evil', not one of guided_filter, bilinear"),
            ("refiner 'Evil'", p => p["options"]!["matting"]!["refiner"] = "Evil", "options.matting.refiner is 'Evil', not one of fast_guided_filter, deep_guided_filter"),
            ("matting null", p => p["options"]!["matting"] = null, "options.matting is missing"),
            ("background null", p => p["options"]!["background"] = null, "options.background is missing"),
            ("outputs null", p => p["outputs"] = null, "outputs is missing or empty"),
            ("options null", p => p["options"] = null, "options is missing"),
        })
        {
            var json = JsonNode.Parse(original)!.AsObject();
            edit(json);
            File.WriteAllText(plan, json.ToJsonString());
            foreach (var command in new[] { new[] { "chunk", plan, "--index", "0" }, new[] { "join", plan } })
            {
                var r = RunBounded(TimeSpan.FromSeconds(120), command);
                _log.WriteLine($"{command[0]} with {what}: exit {r.ExitCode}: {r.StdErr.Trim()}");
                Assert.Equal(1, r.ExitCode);
                Assert.Single(r.StdErr.Trim().Split('\n'));
                Assert.Contains($"{plan}: {expected}", r.StdErr);
            }
        }
    }

    // Minor: compose-dataset reading its own output ------------------------------------------------------------

    [Fact]
    public void ComposeDatasetKeepsItsOutputApartFromItsInputs()
    {
        using var dir = new TempFolder();
        var foregrounds = Cutouts(dir, "fg", "person");
        var backgrounds = Directory.CreateDirectory(dir.File("bg")).FullName;
        PngFile.WriteRgb(Path.Combine(backgrounds, "wall.png"), 64, 36, Enumerable.Range(0, 64 * 36 * 3).Select(i => (byte)(i % 251)).ToArray());

        foreach (var (what, output, backgroundsArg, expected) in new[]
        {
            ("--out inside --backgrounds", Path.Combine(backgrounds, "ds"), backgrounds, "--out lies inside --backgrounds"),
            ("--out equal to --backgrounds", backgrounds, backgrounds, "--out lies inside --backgrounds"),
            ("--out inside --foregrounds", Path.Combine(foregrounds, "ds"), backgrounds, "--out lies inside --foregrounds"),
            ("--backgrounds inside --out", dir.Path, backgrounds, "--foregrounds " + foregrounds + " lies inside --out"),
        })
        {
            var r = RunBounded(TimeSpan.FromSeconds(60), "compose-dataset", "--foregrounds", foregrounds, "--backgrounds", backgroundsArg, "--out", output, "--size", "64x36", "--frames", "1", "--quiet");
            _log.WriteLine($"{what}: exit {r.ExitCode}: {r.StdErr.Trim()}");
            Assert.Equal(2, r.ExitCode);
            Assert.Single(r.StdErr.Trim().Split('\n'));
            Assert.Contains(expected, r.StdErr);
        }
        Assert.Equal(["wall.png"], Directory.GetFileSystemEntries(backgrounds).Select(f => Path.GetFileName(f)!).ToArray());

        var ok = RunBounded(TimeSpan.FromSeconds(60), "compose-dataset", "--foregrounds", foregrounds, "--backgrounds", backgrounds, "--out", dir.File("ds"), "--size", "64x36", "--frames", "1", "--quiet");
        _log.WriteLine($"--out beside the inputs: exit {ok.ExitCode}");
        Assert.True(ok.ExitCode == 0, ok.StdErr);
    }

    // Helpers ------------------------------------------------------------------------------------------------

    /// <summary>A folder of cut-out folders, each a 32x48 photo with a person-shaped alpha.</summary>
    private static string Cutouts(TempFolder dir, string folder, params string[] names)
    {
        var root = Directory.CreateDirectory(dir.File(folder)).FullName;
        foreach (var name in names)
        {
            var cutout = Directory.CreateDirectory(Path.Combine(root, name)).FullName;
            PngFile.WriteRgb(Path.Combine(cutout, "image.png"), 32, 48, Enumerable.Range(0, 32 * 48 * 3).Select(i => (byte)(40 + i % 7 * 30)).ToArray());
            PngFile.WriteGray(Path.Combine(cutout, "alpha.png"), 32, 48,
                Enumerable.Range(0, 32 * 48).Select(i => (byte)(i % 32 is > 8 and < 24 && i / 32 > 6 ? 255 : 0)).ToArray());
        }
        return root;
    }

    private sealed record BoundedResult(int ExitCode, string StdOut, string StdErr, long PeakRssKiB);

    /// <summary>The CLI, killed (with its children) if it runs past <paramref name="limit"/>; its peak resident memory read while it runs.</summary>
    private static BoundedResult RunBounded(TimeSpan limit, params string[] args)
    {
        using var p = CliRunner.Start(new Dictionary<string, string>(), args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        long peak = 0;
        var sw = Stopwatch.StartNew();
        try
        {
            while (!p.WaitForExit(50))
            {
                peak = Math.Max(peak, PeakRss(p.Id));
                if (sw.Elapsed > limit) throw new TimeoutException($"mattekit {string.Join(' ', args)} still ran after {limit.TotalSeconds} s");
            }
        }
        finally
        {
            if (!p.HasExited) p.Kill(entireProcessTree: true);
        }
        return new BoundedResult(p.ExitCode, stdout.Result, stderr.Result, peak);
    }

    /// <summary>VmHWM of a process and its direct children (the CLI may run under <c>env</c>), in KiB; 0 once gone.</summary>
    private static long PeakRss(int pid)
    {
        long Hwm(string status)
        {
            try
            {
                var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
                return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
            }
            catch (IOException)
            {
                return 0;
            }
        }
        long peak = Hwm($"/proc/{pid}/status");
        try
        {
            foreach (var child in File.ReadAllText($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries))
                peak = Math.Max(peak, Hwm($"/proc/{child}/status"));
        }
        catch (IOException)
        {
        }
        return peak;
    }


    private static int Run(string program, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(program, args) { UseShellExecute = false })!;
        p.WaitForExit();
        return p.ExitCode;
    }

    /// <summary>The damaged model <paramref name="bytes"/> is refused when loaded, in one line naming its file and <paramref name="expected"/>.</summary>
    private void RefusedNamingTheFile(TempFolder dir, string what, byte[] bytes, string expected)
    {
        var path = dir.File(what.Replace(' ', '-') + ".tflite");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<WeightsFormatException>(() => SelfieSegmenter.Load(path).Dispose());
        _log.WriteLine($"{what}: {e.Message}");
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
