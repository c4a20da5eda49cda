using System.Diagnostics;
using MatteKit.Compositing;
using MatteKit.Media;
using MatteKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace MatteKit.Tests.Cli;

/// <summary>
/// <c>mattekit convert</c> on real clips, run as a process; every output checked independently with
/// ffprobe/ffmpeg. Short <c>--duration</c> cuts keep each run to a few seconds.
/// </summary>
[Trait("Needs", "shared")]
public sealed class ConvertVideoTests
{
    private static readonly string SampleClip = Path.Combine(SharedData.RepoRoot, "samples", "astronaut_zoom.mp4");
    private static readonly string Coffee = SharedData.Path("media", "clips", "coffee_torso_hands_720p.mp4");
    private static readonly string Hand = SharedData.Path("media", "clips", "hand_reach_defocus_360p.mp4");
    private static readonly string Pedestrians = SharedData.Path("media", "clips", "pedestrians_static_cam_576p.mp4");
    private static readonly string CoffeeImage = SharedData.Path("media", "backgrounds", "images", "skimage_coffee.png");
    private readonly ITestOutputHelper _log;

    public ConvertVideoTests(ITestOutputHelper log) => _log = log;

    [SkippableFact]
    public void ReadmeMainJobMakesACompositionVideo()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        // The README's main command, with out/ replaced by a temporary folder.
        var r = Cli("convert", SampleClip, "--output-composition", dir.File("composition.mp4"),
            "--output-alpha", dir.File("alpha.mp4"), "--output-foreground", dir.File("foreground.mp4"));
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("downsample ratio auto -> 1", r.StdOut);

        foreach (var name in new[] { "composition.mp4", "alpha.mp4", "foreground.mp4" })
        {
            var streams = MediaTools.Probe(dir.File(name));
            var v = streams.Single(s => s.Type == "video");
            Assert.Equal(("h264", 512, 512, "25/1", 30), (v.Codec, v.Width, v.Height, v.FrameRate, v.Frames));
            Assert.Contains(streams, s => s.Type == "audio" && s.Codec == "aac");
        }
        var (maxMean, worst) = CompositionError(dir.File("composition.mp4"), dir.File("foreground.mp4"), dir.File("alpha.mp4"), 512, 512, RgbColor.Green);
        _log.WriteLine($"composition vs fgr*a + green*(1-a) after H.264: worst frame mean |diff| {maxMean:F2}, 99.9th percentile {worst}");
        Assert.InRange(maxMean, 0, 3.0);

        var alpha = MediaTools.DecodeFrames(dir.File("alpha.mp4"), "gray", 512, 512)[29];
        double person = alpha.Count(a => a > 200) / (double)alpha.Length;
        _log.WriteLine($"last frame: alpha > 200 on {person:P1}");
        Assert.InRange(person, 0.2, 0.9);
    }

    [SkippableFact]
    public void VideoOutputsKeepExactFrameRateFrameCountAndAudio()
    {
        MediaTools.SkipIfMissing();
        SharedData.SkipIfMissing(Coffee);
        using var dir = new TempFolder();
        var r = Cli("convert", Coffee, "--duration", "0.5", "--output-composition", dir.File("com.mp4"),
            "--output-foreground", dir.File("fgr.webm"), "--output-alpha", dir.File("pha.mov"), "--output-video-mbps", "2.5");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("15 frame(s)", r.StdOut);

        var expected = new Dictionary<string, (string Video, string Audio)>
        {
            ["com.mp4"] = ("h264", "aac"),   // AAC copied into MP4
            ["fgr.webm"] = ("vp9", "opus"),  // WebM cannot hold AAC: re-encoded
            ["pha.mov"] = ("prores", "aac"),
        };
        foreach (var (name, codecs) in expected)
        {
            var streams = MediaTools.Probe(dir.File(name));
            var v = streams.Single(s => s.Type == "video");
            _log.WriteLine($"{name}: {string.Join("; ", streams)}");
            Assert.Equal((codecs.Video, 1280, 720, "30000/1001", 15), (v.Codec, v.Width, v.Height, v.FrameRate, v.Frames));
            Assert.Equal(codecs.Audio, streams.Single(s => s.Type == "audio").Codec);
        }
    }

    [SkippableFact]
    public void RotatedInputComesOutUpright()
    {
        MediaTools.SkipIfMissing();
        SharedData.SkipIfMissing(Hand);
        using var dir = new TempFolder();
        // The same clip tagged "display rotated by 90 degrees" (stream copy: the stored frames stay 640x360).
        MediaTools.Ffmpeg("-i", Hand, "-t", "1", "-c", "copy", "-metadata:s:v:0", "rotate=90", dir.File("rotated.mp4"));
        var r = Cli("convert", dir.File("rotated.mp4"), "--duration", "0.2", "--downsample-ratio", "0.25",
            "--output-composition", dir.File("com.mp4"));
        Assert.True(r.ExitCode == 0, r.StdErr);
        // ffmpeg applies the rotation while decoding: the network sees the person upright, and the output holds
        // upright 360x640 frames without a rotation tag, which display exactly as the input did.
        Assert.Equal(("h264", 360, 640, "25/1", 5), Fields(MediaTools.Video(dir.File("com.mp4"))));
    }

    [SkippableFact]
    public void X264PresetReachesTheEncoder()
    {
        MediaTools.SkipIfMissing();
        SharedData.SkipIfMissing(Hand);
        using var dir = new TempFolder();
        foreach (var preset in new[] { "ultrafast", "veryfast" })
        {
            var r = Cli("convert", Hand, "--duration", "0.2", "--downsample-ratio", "0.25", "--x264-preset", preset,
                "--output-composition", dir.File(preset + ".mp4"));
            Assert.True(r.ExitCode == 0, r.StdErr);
        }
        // x264 writes its settings into the stream: ultrafast searches sub-pixels not at all (subme=0), veryfast does (2).
        string Settings(string name) => System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(dir.File(name)));
        Assert.Contains(" subme=0 ", Settings("ultrafast.mp4"));
        Assert.Contains(" subme=2 ", Settings("veryfast.mp4"));

        var bad = Cli("convert", Hand, "--x264-preset", "warp", "--output-composition", dir.File("bad.mp4"));
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--x264-preset must be one of ultrafast", bad.StdErr);
        Assert.False(File.Exists(dir.File("bad.mp4")));
    }

    [SkippableFact]
    public void PngSequencesFromAVideoAreExactlyConsistent()
    {
        MediaTools.SkipIfMissing();
        SharedData.SkipIfMissing(Hand);
        using var dir = new TempFolder();
        var r = Cli("convert", Hand, "--duration", "0.4", "--output-type", "png_sequence", "--background", "#3366CC",
            "--output-composition", dir.File("com"), "--output-alpha", dir.File("pha"), "--output-foreground", dir.File("fgr"));
        Assert.True(r.ExitCode == 0, r.StdErr);
        var names = Directory.GetFiles(dir.File("com")).Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"{i:D4}.png").ToArray(), names);
        foreach (var name in names)
        {
            var a = PngFile.ReadGray(Path.Combine(dir.File("pha"), name!));
            var f = PngFile.ReadRgb(Path.Combine(dir.File("fgr"), name!));
            var c = PngFile.ReadRgb(Path.Combine(dir.File("com"), name!));
            Assert.Equal((640, 360), (c.Width, c.Height));
            var expected = new byte[640 * 360 * 3];
            Compositor.OverColor(f.Pixels, a.Pixels, new RgbColor(0x33, 0x66, 0xCC), expected);
            Assert.Equal(expected, c.Pixels);
        }
    }

    [SkippableFact]
    public void TransparentWebmProResAndGifDecodeBackToTheAlpha()
    {
        MediaTools.SkipIfMissing();
        SharedData.SkipIfMissing(Hand);
        using var dir = new TempFolder();
        foreach (var (file, decoder, meanLimit) in new[] { ("t.webm", "libvpx-vp9", 2.0), ("t.mov", (string?)null, 0.5), ("t.gif", null, -1) })
        {
            var pha = dir.File("pha-" + Path.GetExtension(file)[1..]);
            var r = Cli("convert", Hand, "--duration", "0.2", "--background", "transparent",
                "--output-composition", dir.File(file), "--output-alpha", pha);
            Assert.True(r.ExitCode == 0, r.StdErr);
            var frames = MediaTools.DecodeFrames(dir.File(file), "rgba", 640, 360, decoder);
            Assert.Equal(5, frames.Count);
            double worstMean = 0;
            long thresholdMismatch = 0;
            for (int i = 0; i < frames.Count; i++)
            {
                var alpha = PngFile.ReadGray(Path.Combine(pha, $"{i:D4}.png")).Pixels;
                long sum = 0;
                for (int p = 0; p < alpha.Length; p++)
                {
                    int decoded = frames[i][4 * p + 3];
                    sum += Math.Abs(decoded - alpha[p]);
                    if ((decoded >= 128) != (alpha[p] >= 128)) thresholdMismatch++;
                }
                worstMean = Math.Max(worstMean, sum / (double)alpha.Length);
            }
            double mismatchShare = thresholdMismatch / (5.0 * 640 * 360);
            _log.WriteLine($"{file}: decoded alpha vs alpha output, worst frame mean |diff| {worstMean:F3}; opaque/transparent disagree on {mismatchShare:P3}");
            if (meanLimit > 0) Assert.InRange(worstMean, 0, meanLimit);
            // GIF has 1-bit transparency: it must agree with the alpha thresholded at half.
            else Assert.InRange(mismatchShare, 0, 0.001);
        }
        Assert.Equal(0, MediaTools.Probe(dir.File("t.webm")).Count(s => s.Type == "video" && s.Frames != 5));
    }

    [SkippableFact]
    public void BackgroundImageCoversTheFrameAndBackgroundVideoLoops()
    {
        MediaTools.SkipIfMissing();
        SharedData.SkipIfMissing(Hand);
        SharedData.SkipIfMissing(CoffeeImage);
        using var dir = new TempFolder();
        // A 3-frame lossless background video: the 5-frame input must show frames 0, 1, 2, 0, 1 of it.
        var bgVideo = dir.File("bg.mkv");
        MediaTools.Ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25", "-frames:v", "3", "-c:v", "ffv1", bgVideo);
        const string Cover = "scale=640:360:force_original_aspect_ratio=increase,crop=640:360,setsar=1";

        foreach (var (background, expectedFrames) in new[]
                 {
                     (CoffeeImage, Enumerable.Repeat(0, 5).ToArray()),
                     (bgVideo, new[] { 0, 1, 2, 0, 1 }),
                 })
        {
            var com = dir.File("com-" + Path.GetFileNameWithoutExtension(background));
            var pha = dir.File("pha-" + Path.GetFileNameWithoutExtension(background));
            var r = Cli("convert", Hand, "--duration", "0.2", "--background", background, "--output-composition", com, "--output-alpha", pha);
            Assert.True(r.ExitCode == 0, r.StdErr);
            var pictures = MediaTools.DecodeFrames(background, "rgb24", 640, 360, filter: Cover);
            for (int i = 0; i < 5; i++)
            {
                var c = PngFile.ReadRgb(Path.Combine(com, $"{i:D4}.png")).Pixels;
                var a = PngFile.ReadGray(Path.Combine(pha, $"{i:D4}.png")).Pixels;
                var bg = pictures[expectedFrames[i]];
                int checkedPixels = 0;
                for (int p = 0; p < a.Length; p++)
                {
                    if (a[p] != 0) continue;
                    checkedPixels++;
                    Assert.True(c[3 * p] == bg[3 * p] && c[3 * p + 1] == bg[3 * p + 1] && c[3 * p + 2] == bg[3 * p + 2],
                        $"{background} frame {i} pixel {p}: composition shows something other than background frame {expectedFrames[i]}");
                }
                Assert.True(checkedPixels > a.Length / 10, $"frame {i}: only {checkedPixels} fully transparent pixels to check");
            }
        }
    }

    [SkippableFact]
    public void FolderOfJpegsAndStdinBecomeVideos()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        var frames = Directory.CreateDirectory(dir.File("frames")).FullName;
        MediaTools.Ffmpeg("-f", "lavfi", "-i", "testsrc2=size=64x48:rate=25", "-frames:v", "3", Path.Combine(frames, "f%d.jpg"));
        var r = Cli("convert", frames, "--output-composition", dir.File("com.mp4"), "--threads", "1");
        Assert.True(r.ExitCode == 0, r.StdErr);
        // Image sequences carry no rate: 30 fps, as the official converter writes them.
        Assert.Equal(("h264", 64, 48, "30/1", 3), Fields(MediaTools.Video(dir.File("com.mp4"))));

        // stdin: nothing to probe; the rate comes from ffmpeg's description of the stream.
        var psi = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        var cli = Path.Combine(AppContext.BaseDirectory, "MatteKit.Cli.dll");
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec dotnet \"$0\" convert - --output-alpha \"$1\" < \"$2\"");
        psi.ArgumentList.Add(cli);
        psi.ArgumentList.Add(dir.File("pha.webm"));
        psi.ArgumentList.Add(SampleClip);
        using (var p = Process.Start(psi)!)
        {
            var err = p.StandardError.ReadToEndAsync();
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, err.Result);
        }
        Assert.Equal(("vp9", 512, 512, "25/1", 30), Fields(MediaTools.Video(dir.File("pha.webm"))));
    }

    [SkippableFact]
    public void BadInputsAreOneClearLineAndLeaveNothing()
    {
        MediaTools.SkipIfMissing();
        SharedData.SkipIfMissing(Hand);
        using var dir = new TempFolder();
        var outDir = Directory.CreateDirectory(dir.File("out")).FullName;
        var output = Path.Combine(outDir, "com.mp4");
        File.WriteAllText(dir.File("text.mp4"), "this is a text file, not a video");
        var bytes = File.ReadAllBytes(Hand);
        File.WriteAllBytes(dir.File("truncated.mp4"), bytes[..(bytes.Length / 3)]);
        Directory.CreateDirectory(dir.File("empty"));
        // A container holding no video frames at all.
        MediaTools.Ffmpeg("-f", "lavfi", "-i", "color=size=64x48:rate=25", "-frames:v", "0", dir.File("zero.mp4"));
        File.WriteAllText(dir.File("weights.pth"), "not a zip");

        Fails(1, new[] { "missing.mp4", "no such file" }, dir.File("missing.mp4"), "--output-composition", output);
        Fails(1, new[] { "text.mp4", "not a video or image ffmpeg can read", "Invalid data" }, dir.File("text.mp4"), "--output-composition", output);
        Fails(1, new[] { "truncated.mp4", "is truncated" }, dir.File("truncated.mp4"), "--output-composition", output, "--downsample-ratio", "0.25");
        Fails(1, new[] { "empty", "folder holds no images" }, dir.File("empty"), "--output-composition", output);
        Fails(1, new[] { "zero.mp4", "has no video stream" }, dir.File("zero.mp4"), "--output-composition", output);
        Fails(1, new[] { "hand_reach_defocus_360p.mp4", "holds no video frames from 60 s on" }, Hand, "--start", "60", "--output-composition", output);
        Fails(1, new[] { "com.avi", "unsupported output extension '.avi'" }, Hand, "--output-composition", Path.Combine(outDir, "com.avi"));
        Fails(1, new[] { "com.png", "needs a single image input" }, Hand, "--output-composition", Path.Combine(outDir, "com.png"));
        Fails(1, new[] { "com.mp4", "cannot hold transparency" }, Hand, "--output-composition", output, "--background", "transparent");
        Fails(1, new[] { "weights.pth" }, Hand, "--output-composition", output, "--weights", dir.File("weights.pth"));
        Fails(2, new[] { "either --output-video-mbps or --crf" }, Hand, "--output-composition", output, "--crf", "20", "--output-video-mbps", "4");
        Fails(2, new[] { "--duration must be a positive number" }, Hand, "--output-composition", output, "--duration", "-1");

        var locked = UnwritableFolder(dir);
        Fails(1, new[] { "com.mp4", "cannot write here" }, Hand, "--output-composition", Path.Combine(locked, "com.mp4"));

        Assert.Empty(Directory.GetFileSystemEntries(outDir));
    }

    [SkippableFact]
    public void MissingFfmpegIsOneClearLine()
    {
        MediaTools.SkipIfMissing();
        SharedData.SkipIfMissing(Hand);
        using var dir = new TempFolder();
        var r = CliRunner.RunWithEnvironment(new Dictionary<string, string> { ["PATH"] = dir.Path },
            "convert", Hand, "--output-composition", dir.File("com.mp4"));
        _log.WriteLine($"exit {r.ExitCode}: {r.StdErr.Trim()}");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("mattekit: ffprobe: not found on PATH; video input and output need it (Debian/Ubuntu: apt-get install ffmpeg)", r.StdErr.Trim());
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [SkippableFact]
    public void CtrlCStopsCleanlyKillsFfmpegAndRemovesTemporaries()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "uses /proc and kill -INT");
        MediaTools.SkipIfMissing();
        SharedData.SkipIfMissing(Pedestrians);
        using var dir = new TempFolder();
        using var cli = CliRunner.Start(new Dictionary<string, string>(), "convert", Pedestrians,
            "--output-composition", dir.File("com.mp4"), "--output-alpha", dir.File("pha.webm"), "--output-foreground", dir.File("fgr"));
        var stderr = new System.Text.StringBuilder();
        var firstFrame = new ManualResetEventSlim();
        cli.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (stderr) stderr.AppendLine(e.Data);
            if (e.Data.StartsWith("frame ", StringComparison.Ordinal)) firstFrame.Set();
        };
        cli.BeginErrorReadLine();
        var stdout = cli.StandardOutput.ReadToEndAsync();
        Assert.True(firstFrame.Wait(TimeSpan.FromMinutes(2)), "no progress line within 2 minutes");

        var children = ChildProcesses(cli.Id);
        _log.WriteLine($"children before Ctrl-C: {string.Join(", ", children.Select(c => $"{c.Pid} {c.Name}"))}");
        Assert.Equal(3, children.Count(c => c.Name == "ffmpeg"));   // decoder + two encoders
        Assert.NotEmpty(Directory.GetFileSystemEntries(dir.Path, ".*partial*"));

        using (var kill = Process.Start("kill", new[] { "-INT", cli.Id.ToString() })) kill.WaitForExit();
        Assert.True(cli.WaitForExit(TimeSpan.FromSeconds(30)), "did not stop within 30 s of SIGINT");
        cli.WaitForExit();
        _log.WriteLine(stderr.ToString());
        Assert.Equal(130, cli.ExitCode);
        Assert.Contains("mattekit: cancelled", stderr.ToString());
        foreach (var (pid, name) in children)
            Assert.False(IsRunning(pid), $"{name} (pid {pid}) still running after the CLI exited");
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    private CliRunner.Result Cli(params string[] args)
    {
        var r = CliRunner.Run(args);
        _log.WriteLine($"mattekit {string.Join(' ', args)}\nexit {r.ExitCode}\n{r.StdOut}{r.StdErr}");
        return r;
    }

    private void Fails(int exitCode, string[] mustContain, params string[] args)
    {
        var r = CliRunner.Run(new[] { "convert" }.Concat(args).ToArray());
        _log.WriteLine($"exit {r.ExitCode}: {r.StdErr.Trim()}");
        Assert.Equal(exitCode, r.ExitCode);
        var errorLines = r.StdErr.Split('\n').Where(l => l.StartsWith("mattekit:", StringComparison.Ordinal)).ToList();
        Assert.Single(errorLines);
        // Progress lines may precede it (a truncated file fails late), but the error is the last word.
        Assert.Equal(errorLines[0], r.StdErr.TrimEnd().Split('\n').Last());
        foreach (var s in mustContain) Assert.Contains(s, errorLines[0]);
    }

    private static string UnwritableFolder(TempFolder dir)
    {
        Skip.If(OperatingSystem.IsWindows(), "uses Unix permissions");
        var locked = Directory.CreateDirectory(dir.File("locked")).FullName;
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        if (!CanWrite(locked))
        {
            return locked;
        }
        // root ignores permission bits; a read-only mount such as /sys refuses even root.
        Skip.If(CanWrite("/sys"), "running as root and no read-only folder to write into");
        return "/sys";
    }

    private static bool CanWrite(string folder)
    {
        var probe = Path.Combine(folder, ".mattekit-write-probe");
        try
        {
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return true;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return false;
        }
    }

    private static (string, int, int, string, int) Fields(MediaTools.StreamInfo v) => (v.Codec, v.Width, v.Height, v.FrameRate, v.Frames);

    /// <summary>Worst per-frame mean |com - (fgr*a + bg*(1-a))| over the decoded videos, and the 99.9th percentile of all diffs.</summary>
    private static (double WorstMean, int Percentile999) CompositionError(string com, string fgr, string pha, int w, int h, RgbColor bg)
    {
        var c = MediaTools.DecodeFrames(com, "rgb24", w, h);
        var f = MediaTools.DecodeFrames(fgr, "rgb24", w, h);
        var a = MediaTools.DecodeFrames(pha, "gray", w, h);
        Assert.Equal(c.Count, f.Count);
        Assert.Equal(c.Count, a.Count);
        var histogram = new long[256];
        double worst = 0;
        var expected = new byte[w * h * 3];
        for (int i = 0; i < c.Count; i++)
        {
            Compositor.OverColor(f[i], a[i], bg, expected);
            long sum = 0;
            for (int p = 0; p < expected.Length; p++)
            {
                int d = Math.Abs(expected[p] - c[i][p]);
                sum += d;
                histogram[d]++;
            }
            worst = Math.Max(worst, sum / (double)expected.Length);
        }
        long total = histogram.Sum(), seen = 0;
        int percentile = 0;
        while (percentile < 255 && (seen += histogram[percentile]) < total * 0.999) percentile++;
        return (worst, percentile);
    }

    private static List<(int Pid, string Name)> ChildProcesses(int parent)
    {
        var result = new List<(int, string)>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                int close = stat.LastIndexOf(')');
                var fields = stat[(close + 2)..].Split(' ');
                if (int.Parse(fields[1]) == parent) result.Add((pid, stat[(stat.IndexOf('(') + 1)..close]));
            }
            catch (IOException)
            {
                // Exited while listing.
            }
        }
        return result;
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
