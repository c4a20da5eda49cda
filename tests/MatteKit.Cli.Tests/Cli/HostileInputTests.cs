using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using MatteKit.Media;
using MatteKit.Tests.TestSupport;
using MatteKit.Weights;
using Xunit.Abstractions;

namespace MatteKit.Tests.Cli;

/// <summary>
/// The defects of issue 12, each as a user (or an attacker) met it: what was done, and what MatteKit does now,
/// printed to the test log. Each test failed before the fix.
/// </summary>
public sealed class HostileInputTests
{
    private static readonly string SampleClip = Path.Combine(SharedData.RepoRoot, "samples", "astronaut_zoom.mp4");
    private static readonly string SampleImage = Path.Combine(SharedData.RepoRoot, "samples", "astronaut.png");
    private static readonly string ModelFolder = Path.Combine(SharedData.RepoRoot, "models", "rvm_mobilenetv3");
    private readonly ITestOutputHelper _log;

    public HostileInputTests(ITestOutputHelper log) => _log = log;

    // 1. An output that is an input ----------------------------------------------------------------------

    [SkippableFact]
    public void OutputThatIsTheInputIsRefusedWhateverNameItHas()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        var input = dir.File("x.mp4");
        File.Copy(SampleClip, input);
        var hash = FileHash.Of(input);
        Directory.CreateDirectory(dir.File("sub"));
        File.CreateSymbolicLink(dir.File("link.mp4"), input);
        File.CreateSymbolicLink(dir.File("folder-link"), dir.Path);
        Assert.Equal(0, Ln(input, dir.File("hard.mp4")));
        var image = dir.File("x.png");
        File.Copy(SampleImage, image);
        var imageHash = FileHash.Of(image);

        foreach (var (what, args) in new (string, string[])[]
        {
            ("the same name", new[] { "convert", input, "--duration", "0.2", "--output-composition", input }),
            ("through ../", new[] { "convert", input, "--duration", "0.2", "--output-alpha", Path.Combine(dir.Path, "sub", "..", "x.mp4") }),
            ("a symbolic link to the input", new[] { "convert", input, "--duration", "0.2", "--output-composition", dir.File("link.mp4") }),
            ("a folder link", new[] { "convert", input, "--duration", "0.2", "--output-composition", Path.Combine(dir.File("folder-link"), "x.mp4") }),
            ("a hard link to the input", new[] { "convert", input, "--duration", "0.2", "--output-foreground", dir.File("hard.mp4") }),
            ("the --background", new[] { "convert", input, "--duration", "0.2", "--background", image, "--output-composition", image }),
            ("an image input", new[] { "convert", image, "--output-composition", image }),
        })
        {
            var r = CliRunner.Run(args);
            _log.WriteLine($"output is {what}: exit {r.ExitCode}: {r.StdErr.Trim()}");
            Assert.Equal(2, r.ExitCode);
            Assert.Contains("refusing to overwrite an input", r.StdErr);
            Assert.Single(r.StdErr.Trim().Split('\n'));
        }
        Assert.Equal(hash, FileHash.Of(input));
        Assert.Equal(imageHash, FileHash.Of(image));
        Assert.Empty(Directory.GetFiles(dir.Path, ".*"));
    }

    [Fact]
    public void TwoOutputsOnOnePathAreNamed()
    {
        using var dir = new TempFolder();
        var r = CliRunner.Run("convert", SampleImage, "--output-alpha", dir.File("a.png"), "--output-composition", Path.Combine(dir.Path, ".", "a.png"));
        _log.WriteLine($"two outputs on one path: exit {r.ExitCode}: {r.StdErr.Trim()}");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(dir.File("a.png"), r.StdErr);
        Assert.Contains("--output-alpha and --output-composition name the same path", r.StdErr);
    }

    // 2. Zip bomb in a .pth ------------------------------------------------------------------------------

    [Fact]
    public void PthStorageThatInflatesBeyondItsTensorsIsRefusedUnread()
    {
        using var dir = new TempFolder();
        var path = dir.File("bomb.pth");
        // One 4-element tensor whose storage entry inflates to 64 MiB of zeros (a few hundred KB in the file).
        var pickle = new PthWriter().AddStorageView("layer.weight", "FloatStorage", new byte[16], 4, 0, [4], null).BuildPickle();
        WriteCompressedZip(path, pickle, 64 << 20);
        _log.WriteLine($"file of {new FileInfo(path).Length} bytes whose storage inflates to {64 << 20}");
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<WeightsFormatException>(() => PyTorchCheckpoint.Read(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        _log.WriteLine($"now: {e.Message} ({allocated} bytes allocated)");
        Assert.Contains("inflates to 67108864 bytes, but its storage declares 4 float32 elements (16 bytes)", e.Message);
        Assert.True(allocated < 8 << 20, $"{allocated} bytes allocated");
    }

    [Fact]
    public void PthReadsOnlyTheBytesItsTensorsUse()
    {
        using var dir = new TempFolder();
        var path = dir.File("big-storage.pth");
        // A storage of 16M elements (64 MiB inflated) of which the one tensor uses the first 4.
        var pickle = new PthWriter().AddStorageView("layer.weight", "FloatStorage", new byte[16], 16 << 20, 0, [4], null).BuildPickle();
        WriteCompressedZip(path, pickle, 64 << 20);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var weights = PyTorchCheckpoint.Read(path);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        _log.WriteLine($"64 MiB storage, 16 bytes used: {allocated} bytes allocated while reading");
        Assert.Equal(new float[4], weights.Get("layer.weight").Data);
        Assert.True(allocated < 8 << 20, $"{allocated} bytes allocated");
    }

    [Fact]
    public void PthWhoseTensorsHoldMoreThanTheLimitIsRefused()
    {
        using var dir = new TempFolder();
        var path = dir.File("huge.pth");
        // Five tensors of 2^27 elements each (2.5 GiB of floats), declared over one small storage entry.
        var writer = new PthWriter();
        for (int i = 0; i < 5; i++) writer.AddStorageView($"w{i}", "FloatStorage", new byte[16], 1L << 27, 0, [1L << 27], null, storageKey: "0");
        File.WriteAllBytes(path, writer.ToBytes());
        var e = Assert.Throws<WeightsFormatException>(() => PyTorchCheckpoint.Read(path));
        _log.WriteLine($"tensors of 2.5 GiB in all: {e.Message}");
        Assert.Contains("more than 268435456 values", e.Message);
    }

    // 3. PNG decompression bomb --------------------------------------------------------------------------

    [Fact]
    public void PngWhoseHeaderDeclaresTooManyPixelsIsRefusedBeforeDecoding()
    {
        using var dir = new TempFolder();
        var bomb = dir.File("bomb.png");
        File.WriteAllBytes(bomb, PngWithHeaderOnly(20000, 20000));
        var sw = Stopwatch.StartNew();
        var r = CliRunner.Run("convert", bomb, "--output-alpha", dir.File("a.png"));
        _log.WriteLine($"20000x20000 PNG header: exit {r.ExitCode} in {sw.Elapsed.TotalSeconds:F1} s: {r.StdErr.Trim()}");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("is 20000x20000 (400000000 pixels), above the limit of 40000000 pixels (--max-pixels raises it)", r.StdErr);

        // The limit is an option: a small one refuses the sample, a larger one lets it through.
        var small = CliRunner.Run("convert", SampleImage, "--output-alpha", dir.File("a.png"), "--max-pixels", "1000");
        _log.WriteLine($"--max-pixels 1000 on a 512x512 image: exit {small.ExitCode}: {small.StdErr.Trim()}");
        Assert.Equal(1, small.ExitCode);
        Assert.Contains("above the limit of 1000 pixels", small.StdErr);
        var enough = CliRunner.Run("convert", SampleImage, "--output-alpha", dir.File("a.png"), "--max-pixels", "262144");
        Assert.True(enough.ExitCode == 0, enough.StdErr);
        Assert.Empty(Directory.GetFiles(dir.Path, ".*"));
    }

    [SkippableFact]
    public void VideoLargerThanTheLimitIsRefusedFromItsProbe()
    {
        MediaTools.SkipIfMissing();
        var r = CliRunner.Run("convert", SampleClip, "--output-alpha", Path.Combine(Path.GetTempPath(), "never.mp4"), "--max-pixels", "100000");
        _log.WriteLine($"512x512 video, --max-pixels 100000: exit {r.ExitCode}: {r.StdErr.Trim()}");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("is 512x512 (262144 pixels), above the limit of 100000 pixels", r.StdErr);
    }

    // 4. TF.js shards outside the model folder -----------------------------------------------------------

    [SkippableFact]
    public void TfjsShardsMustBePlainFilesInsideTheModelFolder()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "uses /dev/zero, /etc/passwd and mkfifo");
        using var dir = new TempFolder();
        var fifo = Path.Combine(dir.Path, "fifo-model", "fifo.bin");
        foreach (var (what, shard) in new[]
        {
            ("a relative path out of the folder", "../../../../../../../../etc/passwd"),
            ("an absolute path", "/etc/passwd"),
            ("a device", "/dev/zero"),
            ("a symbolic link out of the folder", "outside.bin"),
            ("a FIFO", "fifo.bin"),
        })
        {
            var model = Directory.CreateDirectory(dir.File(what == "a FIFO" ? "fifo-model" : Guid.NewGuid().ToString("N"))).FullName;
            var json = JsonNode.Parse(File.ReadAllText(Path.Combine(ModelFolder, "model.json")))!;
            json["weightsManifest"]![0]!["paths"] = new JsonArray(shard);
            File.WriteAllText(Path.Combine(model, "model.json"), json.ToJsonString());
            if (shard == "outside.bin") File.CreateSymbolicLink(Path.Combine(model, shard), Path.Combine(ModelFolder, "group1-shard1of1.bin"));
            if (shard == "fifo.bin") Assert.Equal(0, Run("mkfifo", fifo));

            var sw = Stopwatch.StartNew();
            var r = CliRunner.Run("convert", SampleImage, "--output-alpha", dir.File("a.png"), "--weights", model);
            _log.WriteLine($"shard is {what}: exit {r.ExitCode} in {sw.Elapsed.TotalSeconds:F1} s: {r.StdErr.Trim()}");
            Assert.Equal(1, r.ExitCode);
            Assert.Contains(what is "a FIFO" ? "is a fifo, not a plain file" : "outside the model's folder", r.StdErr
                .Replace("is not a file name inside the model's folder", "outside the model's folder"));
            Assert.DoesNotContain("root:", r.StdErr);
        }
        Assert.False(File.Exists(dir.File("a.png")));
    }

    // 5. Signals before the pipeline, stalled inputs -----------------------------------------------------

    [SkippableTheory]
    [InlineData("INT")]
    [InlineData("TERM")]
    [InlineData("HUP")]
    public void SignalWhileProbingAFifoEndsAtOnceWith130(string signal)
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "uses mkfifo and kill");
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        var fifo = dir.File("input.mp4");
        Assert.Equal(0, Run("mkfifo", fifo));
        using var cli = CliRunner.Start(new Dictionary<string, string>(), "convert", fifo, "--output-composition", dir.File("c.mp4"));
        var stderr = cli.StandardError.ReadToEndAsync();
        Thread.Sleep(3000);   // started, stuck opening the FIFO nobody writes to
        Assert.False(cli.HasExited, "exited before the signal");
        var sw = Stopwatch.StartNew();
        Assert.Equal(0, Run("kill", $"-{signal}", cli.Id.ToString()));
        bool stopped = cli.WaitForExit(TimeSpan.FromSeconds(10));
        if (!stopped) cli.Kill(entireProcessTree: true);
        _log.WriteLine($"SIG{signal} while probing a FIFO: stopped after {sw.Elapsed.TotalSeconds:F2} s, exit {(stopped ? cli.ExitCode : -1)}: {stderr.Result.Trim()}");
        Assert.True(stopped, $"did not stop within 10 s of SIG{signal}");
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(4), $"took {sw.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(130, cli.ExitCode);
        Assert.Equal("mattekit: cancelled; no output was written", stderr.Result.Trim());
        Assert.Equal(new[] { "input.mp4" }, Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName).ToArray());
    }

    [SkippableFact]
    public void StalledInputsTimeOutWithAClearLine()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "uses mkfifo");
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        var fifo = dir.File("stalled.mp4");
        Assert.Equal(0, Run("mkfifo", fifo));
        var sw = Stopwatch.StartNew();
        var r = CliRunner.Run("convert", fifo, "--output-composition", dir.File("c.mp4"), "--read-timeout", "2");
        _log.WriteLine($"FIFO nobody writes to, --read-timeout 2: exit {r.ExitCode} after {sw.Elapsed.TotalSeconds:F1} s: {r.StdErr.Trim()}");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("sent no answer in 2 s", r.StdErr);

        // A FIFO named like an image: read through ffmpeg, whose reads time out, not by the PNG reader, which would wait.
        var fifoImage = dir.File("stalled.png");
        Assert.Equal(0, Run("mkfifo", fifoImage));
        sw.Restart();
        var p = CliRunner.Run("convert", fifoImage, "--output-alpha", dir.File("a.png"), "--read-timeout", "2");
        _log.WriteLine($"FIFO named .png, --read-timeout 2: exit {p.ExitCode} after {sw.Elapsed.TotalSeconds:F1} s: {p.StdErr.Trim()}");
        Assert.Equal(1, p.ExitCode);
        Assert.Contains("sent no frame for 2 s", p.StdErr);
        File.Delete(fifoImage);

        // An HTTP server on loopback that accepts the connection and never answers.
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        var accepted = new List<TcpClient>();
        var acceptLoop = Task.Run(async () =>
        {
            try
            {
                while (true) accepted.Add(await server.AcceptTcpClientAsync());
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        });
        var url = $"http://127.0.0.1:{((IPEndPoint)server.LocalEndpoint).Port}/clip.mp4";
        sw.Restart();
        var h = CliRunner.Run("convert", url, "--output-composition", dir.File("c.mp4"), "--read-timeout", "2");
        _log.WriteLine($"stalled HTTP stream, --read-timeout 2: exit {h.ExitCode} after {sw.Elapsed.TotalSeconds:F1} s: {h.StdErr.Trim()}");
        server.Stop();
        foreach (var c in accepted) c.Dispose();
        Assert.Equal(1, h.ExitCode);
        Assert.Contains("sent no frame for 2 s", h.StdErr);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(30));
        Assert.Equal(new[] { "stalled.mp4" }, Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName).ToArray());
    }

    // 6, 7, 12. Bounds and exit codes of options ---------------------------------------------------------

    [Fact]
    public void OptionsOutOfTheirBoundsAreUsageErrors()
    {
        using var dir = new TempFolder();
        foreach (var (args, expected) in new (string[], string)[]
        {
            (new[] { "--threads", "10000" }, $"--threads must be a whole number from 1 to {Environment.ProcessorCount} (the cores present), got 10000"),
            (new[] { "--seq-chunk", "100000" }, "--seq-chunk must be a whole number from 1 to 32, got 100000"),
            (new[] { "--crf", "1000" }, "--crf must be a whole number from 0 to 63 (x264 stops at 51), got 1000"),
            (new[] { "--max-pixels", "0" }, "--max-pixels must be a whole number >= 1, got '0'"),
            (new[] { "--read-timeout", "-1" }, "--read-timeout must be a positive number, got '-1'"),
            (new[] { "--input-resize", "20000x20000" }, "--input-resize 20000x20000 is 400000000 pixels, above the limit of 40000000 (--max-pixels)"),
        })
        {
            var sw = Stopwatch.StartNew();
            var r = CliRunner.Run(new[] { "convert", SampleImage, "--output-alpha", dir.File("a.png") }.Concat(args).ToArray());
            _log.WriteLine($"{string.Join(' ', args)}: exit {r.ExitCode} in {sw.Elapsed.TotalSeconds:F1} s: {r.StdErr.Trim()}");
            Assert.Equal(2, r.ExitCode);
            Assert.Equal($"mattekit: {expected}", r.StdErr.Trim());
        }
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [SkippableFact]
    public void SeqChunkOfTooManyPixelsIsRefused()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        // Known from the options: a usage error before anything is read.
        var r = CliRunner.Run("convert", SampleClip, "--output-alpha", dir.File("a.mp4"), "--seq-chunk", "32", "--input-resize", "3840x2160");
        _log.WriteLine($"--seq-chunk 32 of 4K frames (--input-resize): exit {r.ExitCode}: {r.StdErr.Trim()}");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--seq-chunk 32 of 3840x2160 frames is above the 66355200 pixels a chunk may hold", r.StdErr);
        // Known from the first frame.
        var frames = Directory.CreateDirectory(dir.File("frames")).FullName;
        PngFile.WriteRgb(Path.Combine(frames, "0.png"), 2000, 1100, new byte[2000 * 1100 * 3]);
        var f = CliRunner.Run("convert", frames, "--output-alpha", dir.File("pha"), "--seq-chunk", "32");
        _log.WriteLine($"--seq-chunk 32 of 2000x1100 frames: exit {f.ExitCode}: {f.StdErr.Trim()}");
        Assert.Equal(1, f.ExitCode);
        Assert.Contains("--seq-chunk 32 of 2000x1100 frames is above the 66355200 pixels a chunk may hold; use a shorter chunk", f.StdErr);
        Assert.Equal(new[] { "frames" }, Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName).ToArray());
    }

    [SkippableFact]
    public void StdoutOnAFullDeviceFailsAndKeepsNoOutput()
    {
        Skip.IfNot(File.Exists("/dev/full"), "needs /dev/full");
        using var dir = new TempFolder();
        var psi = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardError = true };
        var dll = Path.Combine(AppContext.BaseDirectory, "MatteKit.Cli.dll");
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"'{Environment.ProcessPath}' '{dll}' convert '{SampleImage}' --output-alpha '{dir.File("a.png")}' > /dev/full");
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        _log.WriteLine($"stdout to /dev/full: exit {p.ExitCode}: {stderr.Trim()}");
        Assert.Equal(1, p.ExitCode);
        Assert.Contains("mattekit: standard output: cannot be written", stderr);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    // 8, 13. Variable frame rate, and the progress total ------------------------------------------------

    [SkippableFact]
    public void VariableFrameRateInputKeepsItsLengthAndAudioSync()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        var vfr = dir.File("vfr.mp4");
        // 4 s with audio: the first 2 s at 10 frames a second, the last 2 s at 30 (base rate 30, average 20).
        MediaTools.Ffmpeg("-f", "lavfi", "-i", "testsrc2=size=256x144:rate=30:duration=4", "-f", "lavfi", "-i", "sine=frequency=440:duration=4",
            "-vf", "select='not(mod(n\\,3))+gte(t\\,2)'", "-fps_mode", "vfr", "-c:v", "libx264", "-c:a", "aac", "-shortest", vfr);
        var input = MediaTools.Durations(vfr);
        var r = CliRunner.Run("convert", vfr, "--output-composition", dir.File("c.mp4"), "--threads", "1");
        _log.WriteLine($"VFR input ({input.Video:F2} s video, {input.Audio:F2} s audio, {input.Frames} frames): exit {r.ExitCode}\n{r.StdOut}{r.StdErr}");
        Assert.True(r.ExitCode == 0, r.StdErr);
        var output = MediaTools.Durations(dir.File("c.mp4"));
        _log.WriteLine($"now: output {output.Video:F2} s video, {output.Audio:F2} s audio, {output.Frames} frames");
        Assert.InRange(output.Video, input.Video - 0.1, input.Video + 0.1);
        Assert.InRange(Math.Abs(output.Video - output.Audio), 0, 0.1);
        Assert.Contains("variable frame rate input: frames placed on a constant 19.355 fps grid (600/31)", r.StdOut);
        // Progress: ffmpeg's constant-rate grid may repeat or drop a frame at the edges, so the estimate is within
        // two frames (it was 25 for 22 before) and the last line is exact.
        var totals = ProgressTotals(r.StdErr).ToList();
        _log.WriteLine($"progress totals: {string.Join(", ", totals.Distinct())}");
        Assert.All(totals, t => Assert.InRange(t, output.Frames - 2, output.Frames + 2));
        Assert.Equal(output.Frames, totals[^1]);
    }

    [SkippableFact]
    public void ProgressTotalOfAFractionalDurationIsTheFramesWritten()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        foreach (var (start, duration) in new[] { (null, "0.5"), ("0.3", "0.5"), (null, "0.46") })
        {
            var args = new List<string> { "convert", SampleClip, "--output-alpha", dir.File($"a{duration}{start}.mp4"), "--duration", duration, "--threads", "1" };
            if (start is not null) args.AddRange(new[] { "--start", start });
            var r = CliRunner.Run(args.ToArray());
            Assert.True(r.ExitCode == 0, r.StdErr);
            int frames = MediaTools.Video(dir.File($"a{duration}{start}.mp4")).Frames;
            var totals = ProgressTotals(r.StdErr);
            _log.WriteLine($"--start {start ?? "0"} --duration {duration}: {frames} frames written, progress totals {string.Join(", ", totals.Distinct())}");
            Assert.Equal(new[] { frames }, totals.Distinct().ToArray());
        }
    }

    // 9. Clean-up on every signal, every command ---------------------------------------------------------

    [SkippableFact]
    public void ComposeDatasetRemovesItsPartialFolderOnSigintAndSigterm()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "uses kill");
        using var dir = new TempFolder();
        var cutout = Directory.CreateDirectory(Path.Combine(dir.Path, "fg", "person")).FullName;
        PngFile.WriteRgb(Path.Combine(cutout, "image.png"), 64, 64, SyntheticFrames.Rgb24(64, 64, 1));
        var alpha = new byte[64 * 64];
        for (int y = 16; y < 64; y++) for (int x = 16; x < 48; x++) alpha[y * 64 + x] = 255;
        PngFile.WriteGray(Path.Combine(cutout, "alpha.png"), 64, 64, alpha);
        PngFile.WriteRgb(dir.File("bg.png"), 640, 360, SyntheticFrames.Rgb24(640, 360, 2));
        foreach (var signal in new[] { "INT", "TERM", "HUP" })
        {
            var output = dir.File($"out-{signal}");
            using var cli = CliRunner.Start(new Dictionary<string, string>(), "compose-dataset", "--foregrounds", dir.File("fg"),
                "--backgrounds", dir.File("bg.png"), "--out", output, "--frames", "100000", "--size", "640x360");
            var stderr = cli.StandardError.ReadToEndAsync();
            var stdout = cli.StandardOutput.ReadToEndAsync();
            var deadline = Stopwatch.StartNew();
            while (!Directory.GetDirectories(dir.Path, ".out-*").Any() && deadline.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(100);
            Thread.Sleep(1000);
            Assert.NotEmpty(Directory.GetDirectories(dir.Path, ".out-*"));
            Assert.Equal(0, Run("kill", $"-{signal}", cli.Id.ToString()));
            bool stopped = cli.WaitForExit(TimeSpan.FromSeconds(10));
            if (!stopped) cli.Kill(entireProcessTree: true);
            _log.WriteLine($"compose-dataset, SIG{signal}: exit {(stopped ? cli.ExitCode : -1)}: {stderr.Result.Trim()}; left: {string.Join(", ", Directory.GetDirectories(dir.Path).Select(Path.GetFileName))}");
            Assert.True(stopped);
            Assert.Equal(130, cli.ExitCode);
            Assert.Empty(Directory.GetDirectories(dir.Path, ".out-*"));
            Assert.False(Directory.Exists(output));
        }
    }

    [SkippableFact]
    public void ConvertRemovesEveryTemporaryOnSighup()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "uses kill");
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        var looped = dir.File("long.mp4");
        MediaTools.Ffmpeg("-stream_loop", "20", "-i", SampleClip, "-c", "copy", looped);
        var outputs = Directory.CreateDirectory(dir.File("out")).FullName;
        using var cli = CliRunner.Start(new Dictionary<string, string>(), "convert", looped, "--output-composition", Path.Combine(outputs, "c.mp4"),
            "--output-alpha", Path.Combine(outputs, "pha"), "--output-foreground", Path.Combine(outputs, "f.webm"), "--threads", "1");
        var stderr = cli.StandardError.ReadToEndAsync();
        var deadline = Stopwatch.StartNew();
        while (Directory.GetFiles(Directory.GetDirectories(outputs, ".pha*").FirstOrDefault() ?? outputs, "*.png").Length < 3
               && deadline.Elapsed < TimeSpan.FromSeconds(90)) Thread.Sleep(200);
        Assert.Equal(3, Directory.GetFileSystemEntries(outputs, ".*partial*").Length);
        Assert.Equal(0, Run("kill", "-HUP", cli.Id.ToString()));
        bool stopped = cli.WaitForExit(TimeSpan.FromSeconds(10));
        if (!stopped) cli.Kill(entireProcessTree: true);
        _log.WriteLine($"convert, SIGHUP: exit {(stopped ? cli.ExitCode : -1)}, left in the output folder: [{string.Join(", ", Directory.GetFileSystemEntries(outputs))}]; {stderr.Result.Split('\n')[^2]}");
        Assert.True(stopped);
        Assert.Equal(130, cli.ExitCode);
        Assert.Empty(Directory.GetFileSystemEntries(outputs));
    }

    // 10. A TF.js shard that does not match its manifest --------------------------------------------------

    [Fact]
    public void OversizedTfjsShardIsRefusedWithoutReadingIt()
    {
        using var dir = new TempFolder();
        File.Copy(Path.Combine(ModelFolder, "model.json"), dir.File("model.json"));
        using (var shard = new FileStream(dir.File("group1-shard1of1.bin"), FileMode.Create))
            shard.SetLength(3L << 30);   // sparse: 3 GiB that take no disk
        long before = GC.GetAllocatedBytesForCurrentThread();
        var sw = Stopwatch.StartNew();
        var e = Assert.Throws<WeightsFormatException>(() => WeightsFile.Load(dir.Path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        _log.WriteLine($"3 GiB shard: {e.Message} ({allocated} bytes allocated, {sw.ElapsedMilliseconds} ms)");
        Assert.Contains("holds 3221225472 bytes but weightsManifest[0] describes 3739355; shard and model.json do not belong together", e.Message);
        Assert.True(allocated < 32 << 20);
    }

    // 11. Weights that are not finite -------------------------------------------------------------------

    [Fact]
    public void NonFiniteWeightsAreRefusedByName()
    {
        using var dir = new TempFolder();
        // TF.js: a quantisation minimum beyond float32 dequantises to infinity.
        var model = Directory.CreateDirectory(dir.File("model")).FullName;
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(ModelFolder, "model.json")))!;
        var first = json["weightsManifest"]![0]!["weights"]!.AsArray().First(w => w!["quantization"] is not null)!;
        first["quantization"]!["min"] = 1e39;
        File.WriteAllText(Path.Combine(model, "model.json"), json.ToJsonString());
        File.Copy(Path.Combine(ModelFolder, "group1-shard1of1.bin"), Path.Combine(model, "group1-shard1of1.bin"));
        var r = CliRunner.Run("convert", SampleImage, "--output-alpha", dir.File("a.png"), "--weights", model);
        _log.WriteLine($"TF.js weight dequantised to infinity: exit {r.ExitCode}: {r.StdErr.Trim()}");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("weights must be finite numbers", r.StdErr);

        // .pth: a NaN in the official weights.
        var weights = WeightsFile.LoadDefault();
        var victim = weights.Keys.Order(StringComparer.Ordinal).First(k => k.StartsWith("decoder.", StringComparison.Ordinal) && k.EndsWith(".weight", StringComparison.Ordinal));
        var tensors = weights.Keys.Select(k => weights.Get(k)).Select(t => t.Name == victim
            ? new WeightTensor(t.Name, t.Shape, t.Data.Select((v, i) => i == 5 ? float.NaN : v).ToArray()) : t);
        var pth = dir.File("nan.pth");
        PthWriter.Write(pth, tensors);
        var p = CliRunner.Run("convert", SampleImage, "--output-alpha", dir.File("a.png"), "--weights", pth);
        _log.WriteLine($".pth with a NaN: exit {p.ExitCode}: {p.StdErr.Trim()}");
        Assert.Equal(1, p.ExitCode);
        Assert.Contains($"tensor '{victim}' holds NaN at index 5; weights must be finite numbers", p.StdErr);
        Assert.False(File.Exists(dir.File("a.png")));
    }

    // 12. Messages without .NET's texts or temporary names -----------------------------------------------

    [SkippableFact]
    public void UnwritableOutputSaysPermissionDeniedInItsOwnWords()
    {
        using var dir = new TempFolder();
        // Root writes anywhere but sysfs, which refuses new files with EACCES even to root.
        bool root = Environment.UserName == "root";
        Skip.If(root && !Directory.Exists("/sys/kernel"), "running as root without /sys: no folder refuses root");
        var locked = root ? "/sys" : Directory.CreateDirectory(dir.File("locked")).FullName;
        if (!root && !OperatingSystem.IsWindows()) File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        foreach (var output in new[] { "a.png", "pha", "a.mp4" })
        {
            var r = CliRunner.Run("convert", SampleImage, "--output-alpha", Path.Combine(locked, output));
            _log.WriteLine($"output {output} in {locked}: exit {r.ExitCode}: {r.StdErr.Trim()}");
            Assert.Equal(1, r.ExitCode);
            Assert.Equal($"mattekit: {Path.Combine(locked, output)}: cannot write here (permission denied)", r.StdErr.Trim());
        }
    }

    // Helpers ------------------------------------------------------------------------------------------

    private static IEnumerable<int> ProgressTotals(string stderr)
        => stderr.Split('\n').Where(l => l.StartsWith("frame ", StringComparison.Ordinal) && l.Contains('/'))
            .Select(l => int.Parse(l.Split(' ')[1].Split('/')[1]));


    private static int Ln(string target, string link) => Run("ln", target, link);

    private static int Run(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool) { UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.WaitForExit();
        return p.ExitCode;
    }

    /// <summary>A .pth whose single storage entry is <paramref name="storageBytes"/> zeros, deflated.</summary>
    private static void WriteCompressedZip(string path, byte[] pickle, int storageBytes)
    {
        using var file = File.Create(path);
        using var zip = new ZipArchive(file, ZipArchiveMode.Create);
        using (var s = zip.CreateEntry("archive/data.pkl").Open()) s.Write(pickle);
        using (var s = zip.CreateEntry("archive/data/0", CompressionLevel.SmallestSize).Open())
        {
            var zeros = new byte[1 << 20];
            for (int written = 0; written < storageBytes; written += zeros.Length) s.Write(zeros);
        }
        using (var s = zip.CreateEntry("archive/version").Open()) s.Write("3\n"u8);
    }

    /// <summary>A PNG whose IHDR declares <paramref name="width"/> x <paramref name="height"/> grey pixels, with a token IDAT.</summary>
    private static byte[] PngWithHeaderOnly(int width, int height)
    {
        var ms = new MemoryStream();
        ms.Write([137, 80, 78, 71, 13, 10, 26, 10]);
        void Chunk(string type, byte[] data)
        {
            var head = new byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(head, (uint)data.Length);
            System.Text.Encoding.ASCII.GetBytes(type).CopyTo(head, 4);
            ms.Write(head);
            ms.Write(data);
            var crc = new byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(crc, PngCrc.Compute(head.AsSpan(4).ToArray().Concat(data).ToArray()));
            ms.Write(crc);
        }
        var ihdr = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)width);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), (uint)height);
        ihdr[8] = 8;
        Chunk("IHDR", ihdr);
        var idat = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionLevel.Fastest, leaveOpen: true)) z.Write(new byte[1 << 16]);
        Chunk("IDAT", idat.ToArray());
        Chunk("IEND", []);
        return ms.ToArray();
    }
}
