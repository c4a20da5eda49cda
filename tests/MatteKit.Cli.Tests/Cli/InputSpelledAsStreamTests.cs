using System.Diagnostics;
using MatteKit.Conversion;
using MatteKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace MatteKit.Tests.Cli;

/// <summary>
/// Issue 24, defect 1: an input that names an existing file however it is spelled (a path under /dev, an ffmpeg
/// <c>file:</c> URL or wrapper, stdin redirected from the file, a forced <c>--input-format</c>) gets the same
/// identity check as a plain path, in <c>convert</c> and <c>live</c>. Before, each of these exited 0 with the
/// input replaced by the output.
/// </summary>
public sealed class InputSpelledAsStreamTests
{
    private static readonly string SampleClip = Path.Combine(SharedData.RepoRoot, "samples", "astronaut_zoom.mp4");
    private readonly ITestOutputHelper _log;

    public InputSpelledAsStreamTests(ITestOutputHelper log) => _log = log;

    [SkippableFact]
    public void OutputOverAnInputSpelledAsAStreamIsRefused()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        var input = dir.File("in.mp4");
        File.Copy(SampleClip, input);
        var hash = FileHash.Of(input);
        Skip.IfNot(Directory.Exists("/dev/shm"), "/dev/shm is not there on this machine");
        var shm = $"/dev/shm/mattekit-test-{Guid.NewGuid():N}.mp4";
        File.Copy(SampleClip, shm);
        try
        {
            var shmHash = FileHash.Of(shm);
            foreach (var (what, args, file) in new (string, string[], string)[]
            {
                ("convert, a path under /dev", ["convert", shm, "--duration", "0.2", "--output-composition", shm], shm),
                ("convert, file:///abs", ["convert", "file://" + input, "--duration", "0.2", "--output-composition", input], input),
                ("convert, file:relative-to-nothing (absolute)", ["convert", "file:" + input, "--duration", "0.2", "--output-alpha", input], input),
                ("convert, cache:file: wrapper", ["convert", "cache:file:" + input, "--duration", "0.2", "--output-foreground", input], input),
                ("convert, concat: list", ["convert", $"concat:{SampleClip}|{input}", "--duration", "0.2", "--output-composition", input], input),
                ("convert, subfile of a file: URL", ["convert", $"subfile,,start,0,end,0,,:file://{input}", "--duration", "0.2", "--output-composition", input], input),
                ("live, subfile of a file: URL", ["live", $"subfile,,start,0,end,0,,:file://{input}", "--duration", "1", "--output", input], input),
                ("live, file:///abs", ["live", "file://" + input, "--duration", "1", "--output", input], input),
                ("live, a forced --input-format", ["live", input, "--input-format", "mov", "--duration", "1", "--output", input], input),
                ("live, a path under /dev", ["live", shm, "--duration", "1", "--output", shm], shm),
            })
            {
                var r = CliRunner.Run(args);
                _log.WriteLine($"{what}: exit {r.ExitCode}: {r.StdErr.Trim()}");
                Assert.Equal(2, r.ExitCode);
                Assert.Contains("refusing to overwrite an input", r.StdErr);
                Assert.Contains(file, r.StdErr);
                Assert.Single(r.StdErr.Trim().Split('\n'));
            }
            Assert.Equal(hash, FileHash.Of(input));
            Assert.Equal(shmHash, FileHash.Of(shm));
            Assert.Single(Directory.GetFiles(dir.Path));
        }
        finally
        {
            File.Delete(shm);
        }
    }

    [SkippableFact]
    public void StdinRedirectedFromTheOutputFileIsRefused()
    {
        MediaTools.SkipIfMissing();
        Skip.IfNot(OperatingSystem.IsLinux(), "stdin's file is found through /proc/self/fd/0, which is Linux's");
        using var dir = new TempFolder();
        var input = dir.File("in.mp4");
        File.Copy(SampleClip, input);
        var hash = FileHash.Of(input);
        var (exitCode, stderr) = RunWithStdin(input, "convert", "-", "--output-composition", input);
        _log.WriteLine($"convert - < in.mp4 --output-composition in.mp4: exit {exitCode}: {stderr}");
        Assert.Equal(2, exitCode);
        Assert.Contains("refusing to overwrite an input", stderr);
        Assert.Equal(hash, FileHash.Of(input));
    }

    /// <summary>
    /// stdin named as a path (<c>convert /dev/stdin &lt; in.mp4</c>, or /dev/fd/0, /proc/self/fd/0): ffmpeg, a process of
    /// its own, opened its own stdin by that name, an empty pipe, and the conversion failed (exit 1, "Invalid data found
    /// when processing input"). ffmpeg is now handed MatteKit's stdin, and the clip is matted.
    /// </summary>
    [SkippableFact]
    public void StdinNamedAsAPathIsMattekitsStdin()
    {
        MediaTools.SkipIfMissing();
        Skip.IfNot(OperatingSystem.IsLinux(), "/dev/stdin and /proc/self/fd/0 are Linux's");
        using var dir = new TempFolder();
        var input = dir.File("in.mp4");
        File.Copy(SampleClip, input);
        foreach (var (name, output) in new[] { ("/dev/stdin", "a.mp4"), ("/dev/fd/0", "b.mp4"), ("/proc/self/fd/0", "c.mp4") })
        {
            var (exitCode, stderr) = RunWithStdin(input, "convert", name, "--input-resize", "64x64", "--output-alpha", dir.File(output));
            _log.WriteLine($"convert {name} < in.mp4 --output-alpha {output}: exit {exitCode}: {stderr}");
            Assert.Equal(0, exitCode);
            Assert.Equal(30, MediaTools.Video(dir.File(output)).Frames);
        }
    }

    /// <summary>
    /// A plan of stdin named as /proc/self/fd/0 (<c>convert /proc/self/fd/0 --workers 2 &lt; in.mp4</c>): /dev/stdin is
    /// refused as a stream, but this name was planned as a file, and each chunk, a process of its own, read its own
    /// stdin: "changed since it was planned ... plan again", exit 1, the plan file left. Refused as /dev/stdin is.
    /// </summary>
    [SkippableFact]
    public void StdinNamedUnderProcIsAStreamAsUnderDev()
    {
        MediaTools.SkipIfMissing();
        Skip.IfNot(OperatingSystem.IsLinux(), "/proc/self/fd/0 is Linux's");
        using var dir = new TempFolder();
        var input = dir.File("in.mp4");
        File.Copy(SampleClip, input);
        var (exitCode, stderr) = RunWithStdin(input, "convert", "/proc/self/fd/0", "--workers", "2", "--chunk-frames", "15", "--output-alpha", dir.File("pha.mp4"));
        _log.WriteLine($"convert /proc/self/fd/0 --workers 2 < in.mp4: exit {exitCode}: {stderr}");
        Assert.Equal(2, exitCode);
        Assert.Contains("a plan needs a file or a folder of images, not a stream", Assert.Single(stderr.Split('\n')));
        Assert.Equal([input], Directory.GetFileSystemEntries(dir.Path));
    }

    /// <summary>The CLI run with its stdin redirected from <paramref name="file"/> (by bash, as a user's shell does); its exit code and stderr.</summary>
    private static (int ExitCode, string StdErr) RunWithStdin(string file, params string[] args)
    {
        var dotnet = Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet";
        var psi = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "-c", "exec \"$@\" < \"$MATTEKIT_TEST_INPUT\"", "bash", dotnet, Path.Combine(AppContext.BaseDirectory, "MatteKit.Cli.dll") }.Concat(args))
            psi.ArgumentList.Add(a);
        psi.Environment["MATTEKIT_TEST_INPUT"] = file;
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"mattekit {string.Join(' ', args)} < {file} did not finish in 2 minutes");
        }
        return (p.ExitCode, stderr.Result.Trim());
    }

    /// <summary>
    /// A file literally named <c>file:w.mp4</c> beside <c>w.mp4</c>: the identity check took the input as the literal
    /// file while ffmpeg, handed the name as given, read its <c>file:</c> protocol, i.e. <c>w.mp4</c>, so
    /// <c>--output-alpha w.mp4</c> replaced the very file that was read (exit 0). ffmpeg is now handed exactly the file
    /// that was checked: the literal one is matted, and w.mp4, which is not an input, is the output asked for.
    /// </summary>
    [SkippableFact]
    public void AFileNamedLikeAProtocolIsReadAsItself()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        File.Copy(SampleClip, dir.File("w.mp4"));
        MediaTools.Ffmpeg("-f", "lavfi", "-i", "testsrc=size=96x64:rate=10", "-frames:v", "3", "-pix_fmt", "yuv420p", dir.File("literal.mp4"));
        File.Move(dir.File("literal.mp4"), dir.File("file:w.mp4"));
        var literal = FileHash.Of(dir.File("file:w.mp4"));
        var r = CliRunner.RunIn(dir.Path, "convert", "file:w.mp4", "--output-alpha", "w.mp4");
        _log.WriteLine($"convert file:w.mp4 --output-alpha w.mp4 (both files there): exit {r.ExitCode}: {r.StdErr.Trim()}");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(literal, FileHash.Of(dir.File("file:w.mp4")));
        var written = MediaTools.Video(dir.File("w.mp4"));
        _log.WriteLine($"w.mp4 now: {written.Width}x{written.Height}, {written.Frames} frames (the literal file: 96x64, 3 frames)");
        Assert.Equal((96, 64, 3), (written.Width, written.Height, written.Frames));
    }

    /// <summary>
    /// Something other than a file there by a name ffmpeg reads as a protocol: a folder named <c>file:y.mp4</c>
    /// beside y.mp4 (live's input), a link named <c>file:b.mp4</c> to /dev/null beside b.mp4 (convert's
    /// background). The identity check took each as what is there by that name (a folder, a device: nothing an output
    /// replaces), while ffmpeg, handed the name as given, read its <c>file:</c> protocol, i.e. y.mp4 and b.mp4, which
    /// the output then replaced (exit 0). ffmpeg now opens what was checked, and nothing is replaced.
    /// </summary>
    [SkippableFact]
    public void WhatIsThereByAProtocolLikeNameIsWhatFfmpegOpens()
    {
        MediaTools.SkipIfMissing();
        Skip.IfNot(OperatingSystem.IsLinux(), "links to /dev/null");
        using var dir = new TempFolder();
        File.Copy(SampleClip, dir.File("v.mp4"));
        File.Copy(SampleClip, dir.File("y.mp4"));
        File.Copy(SampleClip, dir.File("b.mp4"));
        Directory.CreateDirectory(dir.File("file:y.mp4"));
        File.CreateSymbolicLink(dir.File("file:b.mp4"), "/dev/null");
        var hash = FileHash.Of(SampleClip);
        foreach (var (what, args, replaced) in new (string, string[], string)[]
        {
            ("live, a folder named file:y.mp4", ["live", "file:y.mp4", "--realtime", "--duration", "1", "--output", "y.mp4"], "y.mp4"),
            ("convert, --background a link named file:b.mp4 to /dev/null",
                ["convert", "v.mp4", "--duration", "0.2", "--background", "file:b.mp4", "--output-composition", "b.mp4"], "b.mp4"),
        })
        {
            var r = CliRunner.RunIn(dir.Path, args);
            _log.WriteLine($"{what}, {replaced} there too: exit {r.ExitCode}: {r.StdErr.Trim()}");
            Assert.NotEqual(0, r.ExitCode);
            Assert.Equal(hash, FileHash.Of(dir.File(replaced)));
        }
    }

    /// <summary>
    /// An output named with what ffmpeg reads as a protocol (<c>file:v.mp4</c>) made a file of that literal name,
    /// which ffmpeg later reads as <c>v.mp4</c>: refused, naming the option, with the way to write such a name.
    /// </summary>
    [Fact]
    public void AnOutputNamedLikeAProtocolIsRefused()
    {
        using var dir = new TempFolder();
        File.Copy(SampleClip, dir.File("v.mp4"));
        foreach (var spec in new[] { "file:out.mp4", "pipe:1", "cache:a.mp4" })
        {
            var r = CliRunner.RunIn(dir.Path, "convert", "v.mp4", "--output-alpha", spec);
            _log.WriteLine($"convert v.mp4 --output-alpha {spec}: exit {r.ExitCode}: {r.StdErr.Trim()}");
            Assert.Equal(2, r.ExitCode);
            Assert.Contains("--output-alpha", r.StdErr);
            Assert.Contains($"./{spec}", r.StdErr);
            Assert.Single(r.StdErr.Trim().Split('\n'));
        }
        Assert.Single(Directory.GetFileSystemEntries(dir.Path));
    }

    /// <summary>
    /// live's outputs may be stream URLs, so they are not refused by the path rule for written files, and a name ffmpeg
    /// reads as a protocol was written as a file of that literal name: <c>--output srt:x.mp4</c> (a stream URL missing
    /// its //) and <c>--output file:x.mp4</c> made files named so, exit 0, which ffmpeg, given them, reads as x.mp4.
    /// Refused as convert refuses them, naming the target and the way to write such a file; ./file:x.mp4 is written.
    /// </summary>
    [SkippableFact]
    public void ALiveFileOutputNamedLikeAProtocolIsRefused()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        File.Copy(SampleClip, dir.File("v.mp4"));
        foreach (var (option, spec) in new[] { ("--output", "srt:x.mp4"), ("--output", "file:x.mp4"), ("--output-alpha", "cache:a.mp4") })
        {
            var r = CliRunner.RunIn(dir.Path, "live", "v.mp4", "--realtime", "--duration", "1", option, spec);
            _log.WriteLine($"live v.mp4 {option} {spec}: exit {r.ExitCode}: {r.StdErr.Trim()}");
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains($"./{spec}", Assert.Single(r.StdErr.Trim().Split('\n')));
        }
        Assert.Single(Directory.GetFileSystemEntries(dir.Path));
        var written = CliRunner.RunIn(dir.Path, "live", "v.mp4", "--realtime", "--duration", "1", "--output", "./file:x.mp4");
        _log.WriteLine($"live v.mp4 --output ./file:x.mp4: exit {written.ExitCode}: {written.StdErr.Trim()}");
        Assert.Equal(0, written.ExitCode);
        Assert.True(File.Exists(dir.File("file:x.mp4")));
    }

    [Fact]
    public void OnlyDevicesSocketsAndNetworkUrlsNameNoFile()
    {
        using var dir = new TempFolder();
        var file = dir.File("a.mp4");
        File.WriteAllBytes(file, [0]);
        foreach (var (spec, expected) in new (string, string[])[]
        {
            (file, [file]),
            ("file://" + file, [file]),
            ("async:cache:file:" + file, [file]),
            ($"concat:{file}|udp://127.0.0.1:1234", [file]),
            ("udp://127.0.0.1:1234", []),
            ($"subfile,,start,0,end,0,,:async:file://{file}", [file]),
            ("/dev/null", []),
            (dir.File("missing.mp4"), []),
        })
        {
            var found = PathCollisions.FilesRead(spec);
            _log.WriteLine($"{spec} reads {(found.Count == 0 ? "no local file" : string.Join(", ", found))}");
            Assert.Equal(expected, found);
        }
    }

    [Fact]
    public void AnFfmpegProtocolWhoseFilesCannotBeToldIsRefused()
    {
        using var dir = new TempFolder();
        var named = dir.File("take:2.png");
        File.WriteAllBytes(named, [0]);
        _log.WriteLine($"{named} (exists) reads {string.Join(", ", PathCollisions.FilesRead(named))}");
        Assert.Equal([named], PathCollisions.FilesRead(named));
        foreach (var spec in new[] { $"crypto:file:{dir.File("x.mp4")}", $"concatf:{dir.File("list.txt")}", "gopherx://host/x" })
        {
            var e = Assert.Throws<ArgumentException>(() => PathCollisions.FilesRead(spec));
            _log.WriteLine($"{spec}: {e.Message}");
            Assert.StartsWith(spec + ": ffmpeg protocol", e.Message);
        }
        var r = CliRunner.Run("convert", $"concatf:{dir.File("list.txt")}", "--output-alpha", dir.File("a.mp4"));
        _log.WriteLine($"convert concatf:list.txt: exit {r.ExitCode}: {r.StdErr.Trim()}");
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.StdErr.Trim().Split('\n'));
    }

}
