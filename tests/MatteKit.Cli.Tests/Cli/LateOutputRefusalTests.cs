using MatteKit.Media;
using MatteKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace MatteKit.Tests.Cli;

/// <summary>
/// Outputs written only at the end of the work (evaluate's reports after every frame is scored, live's stats after
/// the session, a plan's files at the join) where a symbolic link is: each was refused only then, after the work
/// (found by a review). Now one line naming the path before any of it, the link left as it was.
/// </summary>
public sealed class LateOutputRefusalTests
{
    private static readonly string Sample = Path.Combine(SharedData.RepoRoot, "samples", "astronaut_zoom.mp4");
    private readonly ITestOutputHelper _log;

    public LateOutputRefusalTests(ITestOutputHelper log) => _log = log;

    [SkippableFact]
    public void OutputsWrittenAtTheEndAreRefusedBeforeTheWork()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "uses symbolic links");
        using var dir = new TempFolder();
        File.WriteAllText(dir.File("kept.txt"), "keep me");
        foreach (var name in new[] { "s.json", "s.csv", "stats.json", "pha.mp4" }) File.CreateSymbolicLink(dir.File(name), dir.File("kept.txt"));
        var pha = Directory.CreateDirectory(Path.Combine(dir.File("true"), "a", "pha")).FullName;
        PngFile.WriteGray(Path.Combine(pha, "0000.png"), 2, 2, [255, 255, 0, 0]);
        string link = $"is a symbolic link (to {dir.File("kept.txt")})";

        foreach (var option in new[] { "--json", "--csv" })
        {
            var r = CliRunner.Run("evaluate", "--pred", dir.File("true"), "--true", dir.File("true"), option, dir.File(option == "--json" ? "s.json" : "s.csv"));
            _log.WriteLine($"evaluate {option}: exit {r.ExitCode}: {r.StdErr.Trim()}");
            Assert.Equal(2, r.ExitCode);
            Assert.Contains(link, r.StdErr);
            Assert.DoesNotContain("MAD", r.StdOut); // refused before scoring
        }

        var live = CliRunner.Run("live", "udp://127.0.0.1:9", "--stats", dir.File("stats.json"), "--output", dir.File("com.mp4"), "--threads", "1");
        _log.WriteLine($"live --stats: exit {live.ExitCode}: {live.StdErr.Trim()}");
        Assert.NotEqual(0, live.ExitCode);
        Assert.Contains(dir.File("stats.json"), live.StdErr); // named before the input is opened
        Assert.Contains(link, live.StdErr);

        var plan = CliRunner.Run("plan", Sample, "--output-alpha", dir.File("pha.mp4"), "--chunk-frames", "10", "--out", dir.File("plan.json"), "--quiet");
        _log.WriteLine($"plan: exit {plan.ExitCode}: {plan.StdErr.Trim()}");
        Assert.NotEqual(0, plan.ExitCode);
        Assert.Contains(link, plan.StdErr);
        Assert.False(File.Exists(dir.File("plan.json")));

        Assert.Equal("keep me", File.ReadAllText(dir.File("kept.txt")));
        Assert.All(new[] { "s.json", "s.csv", "stats.json", "pha.mp4" }, n => Assert.Equal(dir.File("kept.txt"), new FileInfo(dir.File(n)).LinkTarget));
    }

    /// <summary>
    /// The same refusal of an output where a symbolic link or a FIFO is exited 1 in convert and live and 2 in
    /// export-onnx, evaluate and plan, and live's line named the path but not the option (found by a review). Now
    /// every command says it as a usage error (exit 2), naming the option as evaluate does, before any work.
    /// </summary>
    [SkippableFact]
    public void ALinkOrFifoAtAnOutputIsAUsageErrorNamingTheOptionInEveryCommand()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "uses symbolic links and mkfifo");
        using var dir = new TempFolder();
        File.WriteAllText(dir.File("kept.txt"), "keep me");
        foreach (var name in new[] { "com.mp4", "live.mp4", "model.onnx", "s.json", "pha.mp4", "p.json" }) File.CreateSymbolicLink(dir.File(name), dir.File("kept.txt"));
        // A link to a folder where a video goes (a folder itself is left to outputs that may be frame folders).
        Directory.CreateDirectory(dir.File("frames"));
        Directory.CreateSymbolicLink(dir.File("dl.mp4"), dir.File("frames"));
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", new[] { dir.File("st.json") })) mkfifo.WaitForExit();
        var pha = Directory.CreateDirectory(Path.Combine(dir.File("true"), "a", "pha")).FullName;
        PngFile.WriteGray(Path.Combine(pha, "0000.png"), 2, 2, [255, 255, 0, 0]);
        string link = $"is a symbolic link (to {dir.File("kept.txt")})";

        foreach (var (args, expected) in new (string[], string)[]
                 {
                     (["convert", Sample, "--output-composition", dir.File("com.mp4"), "--quiet"], $"--output-composition {dir.File("com.mp4")}: {link}"),
                     (["live", "udp://127.0.0.1:9", "--output", dir.File("live.mp4"), "--threads", "1"], $"--output {dir.File("live.mp4")}: {link}"),
                     (["live", "udp://127.0.0.1:9", "--stats", dir.File("st.json"), "--output", dir.File("x.mp4"), "--threads", "1"], $"--stats {dir.File("st.json")}: is a FIFO"),
                     (["export-onnx", "--size", "64x64", "--out", dir.File("model.onnx")], $"--out {dir.File("model.onnx")}: {link}"),
                     (["evaluate", "--pred", dir.File("true"), "--true", dir.File("true"), "--json", dir.File("s.json")], $"--json {dir.File("s.json")}: {link}"),
                     (["plan", Sample, "--output-alpha", dir.File("pha.mp4"), "--chunk-frames", "10", "--out", dir.File("plan.json"), "--quiet"], $"--output-alpha {dir.File("pha.mp4")}: {link}"),
                     // The plan file itself, before the person pass (review: it was refused after it, exit 1).
                     (["plan", Sample, "--output-alpha", dir.File("a.mp4"), "--chunk-frames", "10", "--subject", "largest", "--out", dir.File("p.json"), "--quiet"], $"--out {dir.File("p.json")}: {link}"),
                     (["convert", Sample, "--output-composition", dir.File("dl.mp4"), "--quiet"], $"--output-composition {dir.File("dl.mp4")}: is a symbolic link (to {dir.File("frames")})"),
                 })
        {
            var r = CliRunner.Run(args);
            _log.WriteLine($"{args[0]}: exit {r.ExitCode}: {r.StdErr.Trim()}");
            Assert.Equal(2, r.ExitCode);
            Assert.StartsWith($"mattekit: {expected}", r.StdErr);
            Assert.Single(r.StdErr.Trim().Split('\n'));
        }
        Assert.Equal("keep me", File.ReadAllText(dir.File("kept.txt")));
        Assert.False(File.Exists(dir.File("x.mp4")));
        Assert.False(File.Exists(dir.File("plan.json")));
    }

    /// <summary>
    /// An output file named with a trailing slash was refused only when it was opened: evaluate scored everything,
    /// wrote --json and then failed on --csv; plan ran its person pass first; live lost its stats at the end (review).
    /// Now a usage error naming the option before any work, nothing written.
    /// </summary>
    [Fact]
    public void AnOutputFileNamedWithATrailingSlashIsRefusedBeforeTheWork()
    {
        using var dir = new TempFolder();
        var pha = Directory.CreateDirectory(Path.Combine(dir.File("true"), "a", "pha")).FullName;
        PngFile.WriteGray(Path.Combine(pha, "0000.png"), 2, 2, [255, 255, 0, 0]);
        const string folder = "ends in a path separator, so it names a folder; an output file needs a file name";
        foreach (var (args, expected) in new (string[], string)[]
                 {
                     (["evaluate", "--pred", dir.File("true"), "--true", dir.File("true"), "--json", dir.File("s.json"), "--csv", dir.File("s.csv") + "/"], $"--csv {dir.File("s.csv")}/: {folder}"),
                     (["plan", Sample, "--output-alpha", dir.File("a.mp4"), "--chunk-frames", "10", "--subject", "largest", "--out", dir.File("p.json") + "/", "--quiet"], $"--out {dir.File("p.json")}/: {folder}"),
                     (["live", "udp://127.0.0.1:9", "--stats", dir.File("st.json") + "/", "--output", dir.File("x.mp4"), "--threads", "1"], $"--stats {dir.File("st.json")}/: {folder}"),
                 })
        {
            var r = CliRunner.Run(args);
            _log.WriteLine($"{args[0]}: exit {r.ExitCode}: {r.StdErr.Trim()}");
            Assert.Equal(2, r.ExitCode);
            Assert.Equal($"mattekit: {expected}", Assert.Single(r.StdErr.Trim().Split('\n')));
        }
        Assert.Equal(["true"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
    }
}
