using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MatteKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace MatteKit.Tests.Live;

/// <summary>
/// <c>mattekit live</c> as a user runs it, on live sources made by ffmpeg on loopback only: the sample clip played
/// at its own rate (<c>--realtime</c>), and a UDP address nothing sends to. The stats JSON is read and checked for sense against what ffprobe finds in the outputs.
/// </summary>
[Trait("Needs", "realtime")]
[Collection(LiveCollection.Name)]
public sealed class LiveCommandTests
{
    private static readonly string Sample = Path.Combine(SharedData.RepoRoot, "samples", "astronaut_zoom.mp4"); // 512x512, 25 fps, 30 frames
    private readonly ITestOutputHelper _log;

    public LiveCommandTests(ITestOutputHelper log) => _log = log;

    [SkippableFact]
    public void RealtimeFileComesOutWithStatsThatAddUp()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        var r = CliRunner.Run("live", Sample, "--realtime", "--output", dir.File("com.mkv"), "--output-alpha", dir.File("pha.mp4"),
            "--stats", dir.File("stats.json"), "--threads", "2", "--background", "blur:8");
        _log.WriteLine(r.StdOut + r.StdErr);
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var stats = JsonDocument.Parse(File.ReadAllText(dir.File("stats.json")));
        var s = stats.RootElement;
        long framesIn = s.GetProperty("frames_in").GetInt64(), framesOut = s.GetProperty("frames_out").GetInt64(), dropped = s.GetProperty("dropped").GetInt64();
        Assert.Equal(30, framesIn);
        Assert.Equal(framesIn, framesOut + dropped);
        Assert.True(framesOut >= 5, $"only {framesOut} frames out");
        var latency = s.GetProperty("latency_ms");
        double p50 = latency.GetProperty("p50").GetDouble(), p95 = latency.GetProperty("p95").GetDouble(), max = latency.GetProperty("max").GetDouble();
        Assert.True(p50 > 0 && p50 <= p95 && p95 <= max && max < 5000, $"latency p50 {p50}, p95 {p95}, max {max}");
        // Played at 25 fps, 30 frames last about 1.2 s: fps in near 25, fps out no more than that.
        double fpsIn = s.GetProperty("fps_in").GetDouble(), fpsOut = s.GetProperty("fps_out").GetDouble();
        Assert.InRange(fpsIn, 15, 35);
        Assert.InRange(fpsOut, 1, 35);
        Assert.Equal("512x512", s.GetProperty("input_size").GetString());
        Assert.Equal("the input ended", s.GetProperty("ended").GetString());
        // Live chooses the network's size here, on the embedded model: int8 by default.
        Assert.Contains($"(network at {s.GetProperty("network_size").GetString()} in int8, ", r.StdOut);
        foreach (var file in new[] { "com.mkv", "pha.mp4" })
        {
            var video = MediaTools.Video(dir.File(file));
            Assert.Equal((512, 512), (video.Width, video.Height));
            Assert.Equal(framesOut, video.Frames);
        }
        Assert.Empty(Directory.GetFiles(dir.Path, ".*partial*"));
    }

    /// <summary>Int8 is live's default only where live chooses the network's size: a fixed ratio, or --precision fp32, keep float32.</summary>
    [SkippableFact]
    public void AFixedRatioOrFp32KeepsFloat32()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        foreach (var (extra, size) in new[] { (new[] { "--downsample-ratio", "0.25" }, "128x128"), (new[] { "--precision", "fp32" }, null) })
        {
            var r = CliRunner.Run(new[] { "live", Sample, "--realtime", "--output-alpha", dir.File("pha.mkv"), "--threads", "2" }.Concat(extra).ToArray());
            _log.WriteLine(r.StdOut + r.StdErr);
            Assert.True(r.ExitCode == 0, r.StdErr);
            Assert.Matches(size is null ? @"\(network at \d+x\d+ in fp32, " : $@"\(network at {size} in fp32, ", r.StdOut);
        }
    }

    [SkippableFact]
    public void SelfieModelRunsLiveAtItsNetworkSize()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        var r = CliRunner.Run("live", Sample, "--realtime", "--model", "selfie", "--mask-smoothing", "0.3", "--output-alpha", dir.File("pha.mkv"),
            "--stats", dir.File("stats.json"), "--threads", "2");
        _log.WriteLine(r.StdOut + r.StdErr);
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var stats = JsonDocument.Parse(File.ReadAllText(dir.File("stats.json")));
        var s = stats.RootElement;
        Assert.Equal(("256x256", 1.0, 0), (s.GetProperty("network_size").GetString(), s.GetProperty("downsample_ratio").GetDouble(), s.GetProperty("ratio_changes").GetInt32()));
        long framesOut = s.GetProperty("frames_out").GetInt64();
        Assert.True(framesOut >= 5, $"only {framesOut} frames out");
        Assert.Equal(framesOut, MediaTools.Video(dir.File("pha.mkv")).Frames);
        var last = MediaTools.DecodeFrames(dir.File("pha.mkv"), "gray", 512, 512)[^1];
        Assert.True(last[300 * 512 + 256] > 200 && last[10 * 512 + 10] < 50, "the mask of the portrait: person in the middle, not in the corner");
    }

    [SkippableFact]
    public void SigtermFinishesTheRecording()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        using var cli = CliRunner.Start(new Dictionary<string, string>(), "live", Sample, "--realtime", "--loop", "--output", dir.File("com.mkv"),
            "--stats", dir.File("stats.json"), "--threads", "2", "--quiet");
        var stderr = cli.StandardError.ReadToEndAsync();
        try
        {
            // Wait for frames to come out, then stop it as a service manager would.
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < TimeSpan.FromSeconds(30) && !Directory.GetFiles(dir.Path, ".com.partial*").Any(f => new FileInfo(f).Length > 20_000))
                Thread.Sleep(100);
            var stopAt = Stopwatch.StartNew();
            using (var kill = Process.Start("kill", new[] { "-TERM", cli.Id.ToString() })) kill.WaitForExit();
            Assert.True(cli.WaitForExit(TimeSpan.FromSeconds(10)), "live did not stop on SIGTERM");
            _log.WriteLine($"stopped {stopAt.ElapsedMilliseconds} ms after SIGTERM; {stderr.Result}");
            Assert.True(cli.ExitCode == 0, stderr.Result);
            Assert.True(stopAt.Elapsed < TimeSpan.FromSeconds(2), $"took {stopAt.ElapsedMilliseconds} ms to stop");
        }
        finally
        {
            if (!cli.HasExited) cli.Kill(entireProcessTree: true);
        }
        using var stats = JsonDocument.Parse(File.ReadAllText(dir.File("stats.json")));
        Assert.Equal("stopped by a signal", stats.RootElement.GetProperty("ended").GetString());
        // An output that cannot keep up drops its own frames (counted): what it wrote is what the file holds.
        var output = stats.RootElement.GetProperty("outputs")[0];
        Assert.Equal(stats.RootElement.GetProperty("frames_out").GetInt64(), output.GetProperty("frames_written").GetInt64() + output.GetProperty("dropped").GetInt64());
        Assert.Equal(output.GetProperty("frames_written").GetInt64(), MediaTools.Video(dir.File("com.mkv")).Frames);
        Assert.Empty(Directory.GetFiles(dir.Path, ".*partial*"));
    }

    [SkippableFact]
    public void UdpStreamFromFfmpegIsMattedAsItComes()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        int port = FreeUdpPort();
        // The sender: the sample looped at its own rate, H.264 (a keyframe a second, so a receiver can join) in MPEG-TS.
        var sender = Process.Start(new ProcessStartInfo("ffmpeg", new[] { "-v", "error", "-nostdin", "-re", "-stream_loop", "-1", "-i", Sample,
            "-an", "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-b:v", "1M", "-g", "25", "-t", "30",
            "-f", "mpegts", $"udp://127.0.0.1:{port}?pkt_size=1316" }) { UseShellExecute = false, RedirectStandardError = true })!;
        try
        {
            var r = CliRunner.Run("live", $"udp://127.0.0.1:{port}", "--output", dir.File("com.mkv"), "--stats", dir.File("stats.json"),
                "--duration", "6", "--read-timeout", "5", "--threads", "2", "--quiet");
            _log.WriteLine(r.StdOut + r.StdErr);
            Assert.True(r.ExitCode == 0, r.StdErr);
            _log.WriteLine(File.ReadAllText(dir.File("stats.json")));
            using var stats = JsonDocument.Parse(File.ReadAllText(dir.File("stats.json")));
            var s = stats.RootElement;
            long framesIn = s.GetProperty("frames_in").GetInt64(), framesOut = s.GetProperty("frames_out").GetInt64();
            // About 6 s at 25 fps, less what it took to join the stream (up to a keyframe interval).
            Assert.InRange(framesIn, 60, 200);
            Assert.Equal(framesIn, framesOut + s.GetProperty("dropped").GetInt64());
            Assert.True(framesOut >= 20, $"{framesOut} frames out of {framesIn}");
            var latency = s.GetProperty("latency_ms");
            Assert.InRange(latency.GetProperty("p95").GetDouble(), 1, 2000);
            Assert.InRange(s.GetProperty("fps_out").GetDouble(), 3, 30);
            Assert.Equal("duration reached", s.GetProperty("ended").GetString());
            Assert.Equal(framesOut, MediaTools.Video(dir.File("com.mkv")).Frames);
        }
        finally
        {
            if (!sender.HasExited) sender.Kill(entireProcessTree: true);
            sender.WaitForExit(5000);
            sender.Dispose();
        }
    }

    [SkippableFact]
    public void StreamThatNeverStartsIsOneLine()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        var r = CliRunner.Run("live", $"udp://127.0.0.1:{FreeUdpPort()}", "--output", dir.File("com.mkv"), "--read-timeout", "1", "--quiet");
        Assert.Equal(1, r.ExitCode);
        var line = Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("sent no frame for 1 s", line);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [SkippableFact]
    public void MissingDevicesAndFilesWithoutRealtimeAreRefused()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        var camera = CliRunner.Run("live", "/dev/video97", "--output", dir.File("com.mkv"));
        Assert.Equal(1, camera.ExitCode);
        Assert.Contains("/dev/video97: no such device", camera.StdErr);

        var loopback = CliRunner.Run("live", Sample, "--realtime", "--output-v4l2", "/dev/video98");
        Assert.Equal(1, loopback.ExitCode);
        Assert.Contains("/dev/video98: no such device", loopback.StdErr);
        Assert.Contains("modprobe v4l2loopback", loopback.StdErr);

        // A plain file (or a folder) given as the virtual camera: it was ffmpeg's "Error initializing output stream 0:0"
        // after the input was opened; the file is left as it was.
        using var elsewhere = new TempFolder();
        File.WriteAllText(elsewhere.File("cam"), "mine");
        foreach (var (target, kind) in new[] { (elsewhere.File("cam"), "a file"), (elsewhere.Path, "a folder") })
        {
            var notDevice = CliRunner.Run("live", Sample, "--realtime", "--output-v4l2", target);
            Assert.Equal(1, notDevice.ExitCode);
            Assert.Equal($"mattekit: {target}: is {kind}, not a video device; give a v4l2loopback device (/dev/videoN)", notDevice.StdErr.Trim());
        }
        Assert.Equal("mine", File.ReadAllText(elsewhere.File("cam")));

        var file = CliRunner.Run("live", Sample, "--output", dir.File("com.mkv"));
        Assert.Equal(2, file.ExitCode);
        Assert.Contains("--realtime", file.StdErr);

        var nothing = CliRunner.Run("live", Sample, "--realtime");
        Assert.Equal(2, nothing.ExitCode);
        Assert.Contains("no output", nothing.StdErr);

        var rgbaStream = CliRunner.Run("live", Sample, "--realtime", "--background", "transparent", "--output", "udp://127.0.0.1:9");
        Assert.Equal(1, rgbaStream.ExitCode);
        Assert.Contains("cannot hold transparency", rgbaStream.StdErr);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    private static int FreeUdpPort()
    {
        using var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.Client.LocalEndPoint!).Port;
    }
}
