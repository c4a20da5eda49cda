using System.Diagnostics;
using MatteKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace MatteKit.Tests.Chunking;

/// <summary>
/// A plan run on a real Slurm cluster started here (cluster/slurm-local.sh: munged, slurmctld and three slurmd on
/// 127.0.0.1, in a temporary folder, stopped whatever happens): the job array and the dependent join, and a node
/// killed while it runs a chunk, whose task is requeued on another; the output is that of a run without the fault.
/// </summary>
[Trait("Needs", "slurm")]
[Trait("Needs", "realtime")]
[Collection(Live.LiveCollection.Name)]
public sealed class SlurmClusterTests
{
    private static readonly string Script = Path.Combine(SharedData.RepoRoot, "cluster", "slurm-local.sh");
    private static readonly string Sample = Path.Combine(SharedData.RepoRoot, "samples", "astronaut_zoom.mp4");
    private readonly ITestOutputHelper _log;

    public SlurmClusterTests(ITestOutputHelper log) => _log = log;

    [SkippableFact]
    public void AKilledNodesChunkIsRequeuedAndTheJoinedOutputIsAsWithoutTheFault()
    {
        MediaTools.SkipIfMissing();
        foreach (var tool in new[] { "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/sbin/munged", "/usr/bin/sbatch" })
            Skip.IfNot(File.Exists(tool), $"{tool} is not installed (apt-get install slurm-wlm munge); the cluster is not tested");
        Skip.IfNot(Environment.UserName == "root", "the local Slurm cluster needs root (slurmd runs jobs as their user)");
        using var dir = new TempFolder();
        string cluster = dir.File("cluster");
        string input = dir.File("in.mp4");
        // 120 frames: the sample four times, so that a chunk runs long enough to be caught on its node.
        Run("ffmpeg", "-v", "error", "-nostdin", "-stream_loop", "3", "-i", Sample, "-frames:v", "120", "-c:v", "libx264", "-preset", "veryfast", "-c:a", "aac", "-t", "4.8", input);
        string[] convert = { "--input-resize", "256x256", "--threads", "1", "--chunk-frames", "30", "--quiet" };

        // Without the fault, locally: the reference.
        Cli(new[] { "plan", input, "--output-alpha", dir.File("ref_pha"), "--out", dir.File("ref.json") }.Concat(convert).ToArray());
        for (int k = 0; k < 4; k++) Cli("chunk", dir.File("ref.json"), "--index", k.ToString());
        Cli("join", dir.File("ref.json"));

        var start = Run(Script, "start", cluster, "300");
        try
        {
            var env = new Dictionary<string, string> { ["SLURM_CONF"] = Path.Combine(cluster, "slurm.conf") };
            Cli(new[] { "plan", input, "--output-alpha", dir.File("pha"), "--output-composition", dir.File("com.mp4"), "--out", dir.File("plan.json") }
                .Concat(convert).ToArray());
            var submit = CliRunner.RunWithEnvironment(env, "slurm", "submit", dir.File("plan.json"), "--max-parallel", "3");
            _log.WriteLine(submit.StdOut + submit.StdErr);
            Assert.True(submit.ExitCode == 0, submit.StdErr);
            Assert.Matches(@"chunks: job \d+ \(array 0-3%3, 4 task\(s\)\); join: job \d+", submit.StdOut);

            // Catch a chunk running on a node, and kill that node's slurmd and the chunk's processes.
            string? node = null;
            var clock = Stopwatch.StartNew();
            while (node is null && clock.Elapsed < TimeSpan.FromSeconds(120))
            {
                var running = Processes().Where(p => p.Command.Contains(" chunk ", StringComparison.Ordinal) && p.Command.Contains(dir.File("plan.json"), StringComparison.Ordinal)
                                                     && p.Node is not null).ToList();
                if (running.Count > 0)
                {
                    node = running[0].Node!;
                    int slurmd = int.Parse(File.ReadAllText(Path.Combine(cluster, $"slurmd.{node}.pid")).Trim());
                    var victims = Processes().Where(p => p.Node == node).Select(p => p.Pid).Append(slurmd).ToList();
                    victims.AddRange(victims.SelectMany(Ancestors).Where(pid => Comm(pid) == "slurmstepd").ToList());
                    // Frozen all at once first, then killed: a node that dies reports nothing, but killed one by one a
                    // slurmstepd still alive could report its task's exit as a failure (no requeue) before its own end.
                    var pids = victims.Distinct().Select(p => p.ToString()).ToArray();
                    Run("kill", new[] { "-STOP" }.Concat(pids).ToArray());
                    foreach (int pid in victims.Distinct())
                        try { Process.GetProcessById(pid).Kill(); } catch (ArgumentException) { } catch (InvalidOperationException) { }
                    _log.WriteLine($"killed node {node} (slurmd {slurmd} and {victims.Count - 1} job processes) at {clock.Elapsed.TotalSeconds:F1} s");
                }
                else Thread.Sleep(100);
            }
            Assert.NotNull(node);

            clock.Restart();
            // The join's end: its record written and the segments cleared (the outputs appear a moment before).
            bool Joined() => Directory.Exists(dir.File("plan.segments"))
                             && Directory.GetFileSystemEntries(dir.File("plan.segments")).Select(Path.GetFileName).SequenceEqual(new[] { "joined" });
            while (!Joined() && clock.Elapsed < TimeSpan.FromSeconds(240)) Thread.Sleep(500);
            var status = CliRunner.RunWithEnvironment(env, "slurm", "status", dir.File("plan.json"));
            _log.WriteLine(status.StdOut + status.StdErr + Run("sh", "-c", $"SLURM_CONF={cluster}/slurm.conf sinfo -N; cat {cluster}/slurmctld.log | grep -i requeue | tail -5"));
            Assert.True(Joined(), "the join did not finish in 4 minutes after the fault");
            Assert.Contains("joined, 4 chunk(s), 120 frames", status.StdOut);
        }
        finally
        {
            _log.WriteLine(Run(Script, "stop", cluster));
        }
        Assert.Equal(120, MediaTools.Video(dir.File("com.mp4")).Frames);
        var reference = Directory.GetFiles(dir.File("ref_pha")).Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(reference, Directory.GetFiles(dir.File("pha")).Select(Path.GetFileName).Order().ToArray());
        foreach (var name in reference)
            Assert.True(File.ReadAllBytes(Path.Combine(dir.File("ref_pha"), name!)).SequenceEqual(File.ReadAllBytes(Path.Combine(dir.File("pha"), name!))), $"{name} differs from the run without the fault");
        Assert.Empty(Directory.GetFiles(dir.Path, ".*partial*"));
    }

    private sealed record Proc(int Pid, string Command, string? Node);

    private static IEnumerable<Proc> Processes()
    {
        foreach (var folder in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out int pid)) continue;
            string command, environment;
            try
            {
                command = File.ReadAllText(Path.Combine(folder, "cmdline")).Replace('\0', ' ');
                environment = File.ReadAllText(Path.Combine(folder, "environ"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            string? node = environment.Split('\0').FirstOrDefault(v => v.StartsWith("SLURMD_NODENAME=", StringComparison.Ordinal))?["SLURMD_NODENAME=".Length..];
            yield return new Proc(pid, command, node);
        }
    }

    private static IEnumerable<int> Ancestors(int pid)
    {
        for (int i = 0; i < 10; i++)
        {
            string stat;
            try { stat = File.ReadAllText($"/proc/{pid}/stat"); } catch (IOException) { yield break; }
            int parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
            if (parent <= 1) yield break;
            yield return pid = parent;
        }
    }

    private static string Comm(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/comm").Trim(); } catch (IOException) { return ""; }
    }

    private void Cli(params string[] args)
    {
        var r = CliRunner.Run(args);
        _log.WriteLine($"mattekit {string.Join(' ', args)}: {r.StdOut}{r.StdErr}");
        Assert.True(r.ExitCode == 0, $"{string.Join(' ', args)}: {r.StdErr}");
    }

    private static string Run(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(120))) { p.Kill(entireProcessTree: true); throw new TimeoutException($"{program} did not finish"); }
        Assert.True(p.ExitCode == 0, $"{program} {string.Join(' ', args)}: {stderr.Result}");
        return stdout.Result + stderr.Result;
    }
}
