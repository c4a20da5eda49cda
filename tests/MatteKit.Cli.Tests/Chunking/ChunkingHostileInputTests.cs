using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using MatteKit.Media;
using MatteKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace MatteKit.Tests.Chunking;

/// <summary>
/// The chunking defects of issue 24 (plan, chunk, join, convert --workers, slurm), each as a user met it: what was
/// done, and what MatteKit does now, printed to the test log. Each test failed before the fix.
/// </summary>
public sealed class ChunkingHostileInputTests
{
    private static readonly string Sample = Path.Combine(SharedData.RepoRoot, "samples", "astronaut_zoom.mp4"); // 512x512, 25 fps, 30 frames, aac
    private readonly ITestOutputHelper _log;

    public ChunkingHostileInputTests(ITestOutputHelper log) => _log = log;

    // 2. A join stopped by kill -9 or Ctrl-C ------------------------------------------------------------

    [SkippableFact]
    public void AJoinStoppedMidwayByKillOrCtrlCLeavesEveryChunkToJoinAgain()
    {
        MediaTools.SkipIfMissing();
        Skip.IfNot(OperatingSystem.IsLinux(), "stops the join with SIGSTOP to catch it midway (Linux)");
        using var dir = new TempFolder();
        // Many small frames, so that the join spends a while putting frames into its output folder.
        const int frames = 1000;
        Directory.CreateDirectory(dir.File("frames"));
        MediaTools.Ffmpeg("-f", "lavfi", "-i", "testsrc=size=32x32:rate=25", "-frames:v", frames.ToString(), dir.File("frames/%04d.png"));
        Cli("plan", dir.File("frames"), "--output-alpha", dir.File("pha"), "--chunk-frames", "100", "--warmup", "0", "--out", dir.File("plan.json"), "--quiet");
        for (int k = 0; k < 10; k++) Cli("chunk", dir.File("plan.json"), "--index", k.ToString(), "--quiet");
        var segments = SegmentFrames(dir.File("plan.segments"));
        Assert.Equal(frames, segments.Count);
        var snapshot = Snapshot(dir.File("plan.segments"));

        foreach (var signal in new[] { "KILL", "INT" })
        {
            int caught = 0;
            string stopped = "";
            int exitCode = -1;
            for (int attempt = 0; attempt < 5 && caught == 0; attempt++)
            {
                using var join = CliRunner.Start(new Dictionary<string, string>(), "join", dir.File("plan.json"));
                caught = StopMidway(join, dir.Path, frames, signal);
                Assert.True(join.WaitForExit(TimeSpan.FromSeconds(60)), "the join did not end");
                stopped = join.StandardError.ReadToEnd().Trim();
                exitCode = join.ExitCode;
                _log.WriteLine($"SIGSTOP-sampled join, attempt {attempt}: {(caught > 0 ? $"SIG{signal} with {caught} of {frames} frames in the temporary output" : "finished before being caught")}; " +
                               $"exit {join.ExitCode}: {stopped}");
                if (caught == 0)
                {
                    // Finished first: put the segments back as they were for another try.
                    Directory.Delete(dir.File("pha"), recursive: true);
                    Restore(dir.File("plan.segments"), snapshot);
                }
            }
            Assert.True(caught > 0, $"the join was never caught midway for SIG{signal}");
            if (signal == "INT" && Directory.Exists(dir.File("pha")))
            {
                // Cancellation is cooperative: on a busy machine the join may have linked its last frames and begun
                // its commit before the first Ctrl-C was acted on. Then the commit finishes first, with its record,
                // and the process says so (or it ended, joined, before the signals came); the output is whole and the next
                // join has nothing to do.
                Assert.True(exitCode == 0 || stopped.Contains("the outputs already complete were kept"), $"exit {exitCode}: {stopped}");
                Assert.Equal(frames, Directory.GetFiles(dir.File("pha"), "*.png").Length);
                Assert.Contains("already joined", Cli("join", dir.File("plan.json")).StdOut);
                continue;
            }
            Assert.False(Directory.Exists(dir.File("pha")), "a stopped join left its output under the final name");
            // Every chunk's frames are still in its segment: the join again completes the output.
            Assert.Equal(segments.Keys.Order(), SegmentFrames(dir.File("plan.segments")).Keys.Order());
            var again = Cli("join", dir.File("plan.json"));
            Assert.Contains($"joined 10 chunk(s), {frames} frames", again.StdOut);
            Assert.Equal(frames, Directory.GetFiles(dir.File("pha"), "*.png").Length);
            foreach (var (name, bytes) in segments)
                Assert.True(bytes.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(dir.File("pha"), name))), $"{name} differs from its segment");
            if (signal == "KILL")
            {
                // For the second signal: the output away, the segments back (the join removed them on success).
                Directory.Delete(dir.File("pha"), recursive: true);
                foreach (var partial in Directory.GetDirectories(dir.Path, ".pha.partial-*")) Directory.Delete(partial, recursive: true);
                Restore(dir.File("plan.segments"), snapshot);
            }
        }

        // A second join after success: already joined, nothing to do (it said "chunk(s) not done" before).
        var second = CliRunner.Run("join", dir.File("plan.json"));
        _log.WriteLine($"join again after success: exit {second.ExitCode}: {second.StdOut.Trim()}{second.StdErr.Trim()}");
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("already joined", second.StdOut);
        Assert.Equal(frames, Directory.GetFiles(dir.File("pha"), "*.png").Length);
    }

    [SkippableFact]
    public void DamagedSegmentsAreNamedByJoinAndRedoneByChunk()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        Cli("plan", Sample, "--output-alpha", dir.File("pha"), "--output-composition", dir.File("com.mp4"), "--input-resize", "64x64",
            "--chunk-frames", "10", "--warmup", "0", "--out", dir.File("plan.json"), "--quiet");
        for (int k = 0; k < 3; k++) Cli("chunk", dir.File("plan.json"), "--index", k.ToString());
        // Frames lost from chunk 1's folder (as a join that moved them and was killed left it), chunk 2's video cut short.
        foreach (var frame in Directory.GetFiles(dir.File("plan.segments/alpha.00001")).Take(4)) File.Delete(frame);
        MediaTools.Ffmpeg("-i", dir.File("plan.segments/composition.00002.mp4"), "-frames:v", "5", "-c", "copy", dir.File("short.mp4"));
        File.Move(dir.File("short.mp4"), dir.File("plan.segments/composition.00002.mp4"), overwrite: true);

        var join = CliRunner.Run("join", dir.File("plan.json"));
        _log.WriteLine($"join over damaged segments: exit {join.ExitCode}: {join.StdErr.Trim()}");
        Assert.Equal(1, join.ExitCode);
        Assert.Contains("2 chunk(s) to redo (1, 2;", Assert.Single(join.StdErr.Trim().Split('\n')));
        Assert.False(File.Exists(dir.File("com.mp4")));
        foreach (int k in new[] { 1, 2 })
        {
            var redo = Cli("chunk", dir.File("plan.json"), "--index", k.ToString());
            Assert.Contains("converted", redo.StdOut);
        }
        Assert.Contains("already done", Cli("chunk", dir.File("plan.json"), "--index", "0").StdOut);
        Cli("join", dir.File("plan.json"));
        Assert.Equal(30, Directory.GetFiles(dir.File("pha")).Length);
        Assert.Equal(30, MediaTools.Video(dir.File("com.mp4")).Frames);
    }

    // 4. The join's clean-up ----------------------------------------------------------------------------

    [SkippableFact]
    public void TheJoinRemovesOnlyWhatThePlanMadeAndNeverAnotherFolder()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        string input = dir.File("in.mp4");
        File.Copy(Sample, input);
        string[] small = { "--input-resize", "64x64", "--chunk-frames", "15", "--warmup", "0", "--quiet" };

        // Outputs and inputs inside the segments folder are refused when planning.
        Directory.CreateDirectory(dir.File("plan.segments"));
        File.Copy(Sample, dir.File("plan.segments/inside.mp4"));
        foreach (var args in new[]
                 {
                     new[] { "plan", input, "--output-alpha", dir.File("plan.segments/pha.mp4"), "--out", dir.File("plan.json") },
                     new[] { "plan", dir.File("plan.segments/inside.mp4"), "--output-alpha", dir.File("pha.mp4"), "--out", dir.File("plan.json") },
                     new[] { "plan", input, "--output-alpha", dir.File("plan.segments"), "--out", dir.File("plan.json") },
                 })
        {
            var r = CliRunner.Run(args.Concat(small).ToArray());
            _log.WriteLine($"{string.Join(' ', args[1..4])}: exit {r.ExitCode}: {r.StdErr.Trim()}");
            Assert.Equal(2, r.ExitCode);
            Assert.Contains("lies in the plan's segments folder", Assert.Single(r.StdErr.Trim().Split('\n')));
        }
        // A file of the user's in the segments folder, and a plan edited to name another folder as its segments.
        File.WriteAllText(dir.File("plan.segments/notes.txt"), "mine");
        Directory.CreateDirectory(dir.File("precious"));
        File.WriteAllText(dir.File("precious/keep.txt"), "mine");
        Cli(new[] { "plan", input, "--output-alpha", dir.File("pha.mp4"), "--out", dir.File("plan.json") }.Concat(small).ToArray());
        Edit(dir.File("plan.json"), plan => plan["segments"] = dir.File("precious"));
        for (int k = 0; k < 2; k++) Cli("chunk", dir.File("plan.json"), "--index", k.ToString());
        Cli("join", dir.File("plan.json"));
        _log.WriteLine($"after the join: {string.Join(", ", Directory.GetFileSystemEntries(dir.Path, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(dir.Path, p)).Order())}");
        Assert.Equal(30, MediaTools.Video(dir.File("pha.mp4")).Frames);
        Assert.Equal("mine", File.ReadAllText(dir.File("precious/keep.txt")));
        Assert.Equal(new[] { "inside.mp4", "joined", "notes.txt" }, Directory.GetFileSystemEntries(dir.File("plan.segments")).Select(Path.GetFileName).Order());

        // A stale hidden plan that convert --workers finds beside its output, naming another folder as its segments.
        string hidden = dir.File(".out.mp4.mattekit-plan.json");
        Cli(new[] { "plan", input, "--output-alpha", dir.File("out.mp4"), "--background", "white", "--out", hidden }.Concat(small).ToArray());
        Edit(hidden, plan => plan["segments"] = dir.File("precious"));
        Cli("convert", input, "--output-alpha", dir.File("out.mp4"), "--input-resize", "64x64", "--workers", Math.Min(2, Environment.ProcessorCount).ToString(), "--quiet");
        Assert.Equal(30, MediaTools.Video(dir.File("out.mp4")).Frames);
        Assert.Equal("mine", File.ReadAllText(dir.File("precious/keep.txt")));
    }

    /// <summary>
    /// A link put where a planned output goes, after planning: the plan's check refused it with "(as its options and
    /// outputs say; plan again)", though removing the link is enough (found by a review). Now the line says that.
    /// </summary>
    [SkippableFact]
    public void AnOutputLinkAfterPlanningSaysToRemoveItNotToPlanAgain()
    {
        MediaTools.SkipIfMissing();
        Skip.IfNot(OperatingSystem.IsLinux(), "uses symbolic links");
        using var dir = new TempFolder();
        Cli("plan", Sample, "--output-alpha", dir.File("pha.mp4"), "--input-resize", "64x64", "--chunk-frames", "10", "--out", dir.File("plan.json"), "--quiet");
        File.WriteAllText(dir.File("kept.txt"), "keep me");
        File.CreateSymbolicLink(dir.File("pha.mp4"), dir.File("kept.txt"));
        foreach (var args in new[] { new[] { "chunk", dir.File("plan.json"), "--index", "0" }, new[] { "join", dir.File("plan.json") } })
        {
            var r = CliRunner.Run(args);
            _log.WriteLine($"{args[0]}: exit {r.ExitCode}: {r.StdErr.Trim()}");
            Assert.Equal(1, r.ExitCode);
            var line = Assert.Single(r.StdErr.Trim().Split('\n'));
            Assert.StartsWith($"mattekit: {dir.File("pha.mp4")}: is a symbolic link (to {dir.File("kept.txt")})", line);
            Assert.EndsWith($"the plan {dir.File("plan.json")} needs no remaking: remove what is there and run it again", line);
            Assert.DoesNotContain("plan again", line);
        }
        File.Delete(dir.File("pha.mp4"));
        Cli("chunk", dir.File("plan.json"), "--index", "0");
        Assert.Equal("keep me", File.ReadAllText(dir.File("kept.txt")));
    }

    /// <summary>
    /// A file (or a FIFO, a link to no folder) where the plan's segments folder goes: plan wrote the plan, and every
    /// chunk then failed with .NET's "The file '.../plan.segments' already exists." (found by the hostile-input pass).
    /// Now plan refuses it (exit 2), and chunk and join, where it came after planning, say so and that removing it is
    /// enough (exit 1); what is there is left as it was.
    /// </summary>
    [SkippableFact]
    public void SomethingOtherThanAFolderWhereTheSegmentsGoIsRefusedByPlanChunkAndJoin()
    {
        MediaTools.SkipIfMissing();
        Skip.IfNot(OperatingSystem.IsLinux(), "uses mkfifo and symbolic links");
        using var dir = new TempFolder();
        string[] plan = ["plan", Sample, "--output-alpha", dir.File("pha.mp4"), "--input-resize", "64x64", "--chunk-frames", "10", "--warmup", "0",
            "--out", dir.File("plan.json"), "--quiet"];
        string segments = dir.File("plan.segments");
        foreach (var (what, make, expected) in new (string, Action, string)[]
        {
            ("a file", () => File.WriteAllText(segments, "mine"), "is a file where the plan's segments folder goes"),
            ("a FIFO", () => { using var mkfifo = Process.Start("mkfifo", segments)!; mkfifo.WaitForExit(); }, "is a FIFO (named pipe) where the plan's segments folder goes"),
            ("a link to no folder", () => File.CreateSymbolicLink(segments, dir.File("nowhere")), "is a symbolic link to no folder"),
        })
        {
            make();
            var r = CliRunner.Run(plan);
            _log.WriteLine($"plan with {what} at plan.segments: exit {r.ExitCode}: {r.StdErr.Trim()}");
            Assert.Equal(2, r.ExitCode);
            Assert.StartsWith($"mattekit: {segments}: {expected}", Assert.Single(r.StdErr.Trim().Split('\n')));
            Assert.False(File.Exists(dir.File("plan.json")));
            File.Delete(segments);
        }

        // Put there after planning: chunk and join name it and say the plan needs no remaking.
        Cli(plan);
        File.WriteAllText(segments, "mine");
        foreach (var args in new[] { new[] { "chunk", dir.File("plan.json"), "--index", "0" }, new[] { "join", dir.File("plan.json") } })
        {
            var r = CliRunner.Run(args);
            _log.WriteLine($"{args[0]} with a file at plan.segments: exit {r.ExitCode}: {r.StdErr.Trim()}");
            Assert.Equal(1, r.ExitCode);
            var line = Assert.Single(r.StdErr.Trim().Split('\n'));
            Assert.StartsWith($"mattekit: {segments}: is a file where the plan's segments folder goes", line);
            Assert.EndsWith($"the plan {dir.File("plan.json")} needs no remaking: remove what is there and run it again", line);
        }
        Assert.Equal("mine", File.ReadAllText(segments));
        File.Delete(segments);
        Cli("chunk", dir.File("plan.json"), "--index", "0", "--quiet");
    }

    // 5. A plan edited to write over its input, or with chunks that do not tile the frames ---------------

    [SkippableFact]
    public void AnEditedPlanIsCheckedAgainByChunkAndJoin()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        string input = dir.File("in.mp4");
        File.Copy(Sample, input);
        var hash = FileHash.Of(input);
        Cli("plan", input, "--output-alpha", dir.File("pha.mp4"), "--input-resize", "64x64", "--chunk-frames", "10", "--warmup", "0",
            "--out", dir.File("plan.json"), "--quiet");
        for (int k = 0; k < 3; k++) Cli("chunk", dir.File("plan.json"), "--index", k.ToString(), "--quiet");
        string original = File.ReadAllText(dir.File("plan.json"));

        foreach (var (what, edit, expected) in new (string, Action<JsonNode>, string)[]
                 {
                     ("the input as the output", p => p["outputs"]![0]!["path"] = input, "refusing to overwrite an input"),
                     ("the plan itself as the output", p =>
                     {
                         p["outputs"]![0]!["path"] = dir.File("plan.json");
                         p["outputs"]![0]!["is_folder"] = true;
                     }, "name the same path"),
                     ("chunk 1 twice", p => p["chunks"]![2] = p["chunks"]![1]!.DeepClone(), "chunks[2].index"),
                     ("overlapping chunks", p => p["chunks"]![1]!["start"] = 5, "chunks[1].start"),
                     ("a frame left out", p => p["chunks"]![2]!["end"] = 29, "chunks end at frame 29"),
                 })
        {
            File.WriteAllText(dir.File("plan.json"), original);
            Edit(dir.File("plan.json"), edit);
            foreach (var command in new[] { "chunk", "join" })
            {
                var r = command == "chunk" ? CliRunner.Run("chunk", dir.File("plan.json"), "--index", "0") : CliRunner.Run("join", dir.File("plan.json"));
                _log.WriteLine($"{what}, {command}: exit {r.ExitCode}: {r.StdErr.Trim()}");
                Assert.Equal(1, r.ExitCode);
                var line = Assert.Single(r.StdErr.Trim().Split('\n'));
                Assert.Contains(dir.File("plan.json"), line);
                Assert.Contains(expected, line);
            }
            Assert.Equal(hash, FileHash.Of(input));
            Assert.False(File.Exists(dir.File("pha.mp4")));
        }
    }

    // 6. Planning again in the same place ---------------------------------------------------------------

    [SkippableFact]
    public void APlanWrittenAgainNeverTakesTheOldPlansSegments()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        string[] common = { "--input-resize", "64x64", "--chunk-frames", "15", "--warmup", "0", "--quiet" };
        Cli(new[] { "plan", Sample, "--output-composition", dir.File("com"), "--output-type", "png_sequence", "--out", dir.File("plan.json") }.Concat(common).ToArray());
        for (int k = 0; k < 2; k++) Cli("chunk", dir.File("plan.json"), "--index", k.ToString());
        Cli(new[] { "plan", Sample, "--output-composition", dir.File("com"), "--output-type", "png_sequence", "--background", "white", "--out", dir.File("plan.json") }
            .Concat(common).ToArray());
        for (int k = 0; k < 2; k++)
        {
            var r = Cli("chunk", dir.File("plan.json"), "--index", k.ToString());
            Assert.Contains("converted", r.StdOut);
        }
        Cli("join", dir.File("plan.json"));
        Cli("convert", Sample, "--output-composition", dir.File("white"), "--output-type", "png_sequence", "--background", "white",
            "--input-resize", "64x64", "--frames", "0:1", "--quiet");
        Assert.True(File.ReadAllBytes(dir.File("white/0000.png")).SequenceEqual(File.ReadAllBytes(dir.File("com/0000.png"))),
            "the joined composition is not the one with the white background");
    }

    // 15. convert --workers: bounded, the threads shared -------------------------------------------------

    [SkippableFact]
    public void WorkersAreBoundedAndShareTheThreads()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        var many = CliRunner.Run("convert", Sample, "--output-alpha", dir.File("pha.mp4"), "--workers", "1000");
        _log.WriteLine($"--workers 1000: exit {many.ExitCode}: {many.StdErr.Trim()}");
        Assert.Equal(2, many.ExitCode);
        Assert.Contains($"--workers must be a whole number from 1 to {Environment.ProcessorCount}", Assert.Single(many.StdErr.Trim().Split('\n')));
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));

        // The plan the workers read says how many threads each takes: the cores shared among them.
        int workers = Math.Min(2, Environment.ProcessorCount);
        using var run = CliRunner.Start(new Dictionary<string, string>(), "convert", Sample, "--output-alpha", dir.File("pha.mp4"), "--input-resize", "64x64",
            "--workers", workers.ToString(), "--chunk-frames", "10", "--quiet");
        string hidden = dir.File(".pha.mp4.mattekit-plan.json");
        int? threads = null;
        var clock = Stopwatch.StartNew();
        try
        {
            while (threads is null && !run.HasExited && clock.Elapsed < TimeSpan.FromSeconds(120))
            {
                try
                {
                    threads = JsonNode.Parse(File.ReadAllText(hidden))!["options"]!["matting"]!["threads"]!.GetValue<int>();
                }
                catch (IOException)
                {
                    Thread.Sleep(5);
                }
            }
            Assert.True(run.WaitForExit(TimeSpan.FromSeconds(180)), "convert --workers did not finish");
        }
        finally
        {
            if (!run.HasExited) run.Kill(entireProcessTree: true);
        }
        _log.WriteLine($"--workers {workers} on {Environment.ProcessorCount} cores: each worker converts with {threads} thread(s); exit {run.ExitCode}");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(Math.Max(1, Environment.ProcessorCount / workers), threads);
    }

    // 21. Damaged plan fields and Slurm jobs files --------------------------------------------------------

    [SkippableFact]
    public void EveryDamagedPlanFieldIsOneLineNamingThePlanAndTheField()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        Cli("plan", Sample, "--output-alpha", dir.File("pha.mp4"), "--input-resize", "64x64", "--chunk-frames", "10", "--out", dir.File("plan.json"), "--quiet");
        string original = File.ReadAllText(dir.File("plan.json"));
        foreach (var (field, edit) in new (string, Action<JsonNode>)[]
                 {
                     ("options.input_resize", p => p["options"]!["input_resize"] = "x"),
                     ("options.input_resize", p => p["options"]!["input_resize"] = "64x"),
                     ("options.matting.model", p => p["options"]!["matting"]!["model"] = "Evil"),
                     ("options.matting.refiner", p => p["options"]!["matting"]!["refiner"] = "5"),
                     ("options.matting.mask_edge", p => p["options"]!["matting"]!["mask_edge"] = null),
                     ("options.read_timeout", p => p["options"]!["read_timeout"] = "99999.00:00:00"),
                     ("options.matting.threads", p => p["options"]!["matting"]!["threads"] = 9999),
                     ("options.plate", p => p["options"]!["plate"] = "smuggled"),
                     ("options.output_alpha", p => p["options"]!["output_alpha"] = "/tmp/elsewhere.mp4"),
                     ("plan of format 3", p => p["format"] = 2),
                     ("options", p => p["options"] = null),
                     ("input", p => p["input"] = null),
                     ("frames", p => p["frames"] = -3),
                     ("frame_rate", p => p["frame_rate"] = "fast"),
                     ("warmup_order", p => p["warmup_order"] = 7),
                     ("outputs", p => p["outputs"] = null),
                     ("outputs[0]", p => p["outputs"]![0] = null),
                     ("outputs[0].role", p => p["outputs"]![0]!["role"] = "evil"),
                     ("outputs[0].path", p => p["outputs"]![0]!["path"] = "relative.mp4"),
                     ("chunks", p => p["chunks"] = null),
                     ("chunks[1]", p => p["chunks"]![1] = null),
                 })
        {
            File.WriteAllText(dir.File("plan.json"), original);
            Edit(dir.File("plan.json"), edit);
            var r = CliRunner.Run("chunk", dir.File("plan.json"), "--index", "0");
            _log.WriteLine($"{field} damaged: exit {r.ExitCode}: {r.StdErr.Trim()}");
            Assert.Equal(1, r.ExitCode);
            var line = Assert.Single(r.StdErr.Trim().Split('\n'));
            Assert.StartsWith($"mattekit: {dir.File("plan.json")}: ", line);
            Assert.Contains(field, line);
        }
        Assert.False(Directory.Exists(dir.File("plan.segments")));
    }

    [SkippableFact]
    public void ADamagedSlurmJobsFileIsOneLineAndStatusAnswersFromMarkersWithoutSqueue()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        Cli("plan", Sample, "--output-alpha", dir.File("pha.mp4"), "--input-resize", "64x64", "--chunk-frames", "15", "--warmup", "0", "--out", dir.File("plan.json"), "--quiet");
        Cli("chunk", dir.File("plan.json"), "--index", "0");
        string jobs = dir.File("plan.segments/slurm-jobs.json");
        // A PATH with no Slurm tools on it (the dotnet host is started by its full path).
        Directory.CreateDirectory(dir.File("bin"));
        var noSlurm = new Dictionary<string, string> { ["PATH"] = dir.File("bin") };
        foreach (var (damage, expected) in new[] { ("null", "not a JSON object"), ("{}", "records no chunks job"), ("{\"chunks\": [1]}", "'chunks' is [1]"), ("{\"chunks\":", "is not JSON") })
        {
            File.WriteAllText(jobs, damage);
            var r = CliRunner.RunWithEnvironment(noSlurm, "slurm", "status", dir.File("plan.json"));
            _log.WriteLine($"jobs file {damage}: exit {r.ExitCode}: {r.StdErr.Trim()}");
            Assert.Equal(1, r.ExitCode);
            var line = Assert.Single(r.StdErr.Trim().Split('\n'));
            Assert.Contains(jobs, line);
            Assert.Contains(expected, line);
        }
        // Numeric ids are ids; without squeue the markers answer, and say so.
        File.WriteAllText(jobs, "{\"chunks\": 41, \"join\": 42}");
        var status = CliRunner.RunWithEnvironment(noSlurm, "slurm", "status", dir.File("plan.json"));
        _log.WriteLine($"status without squeue: exit {status.ExitCode}: {status.StdOut.Trim()}{status.StdErr.Trim()}");
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("2 chunk(s): 1 done, 1 not done (1), from the markers alone (squeue not found)", status.StdOut);
        Cli("chunk", dir.File("plan.json"), "--index", "1");
        status = CliRunner.RunWithEnvironment(noSlurm, "slurm", "status", dir.File("plan.json"));
        _log.WriteLine($"status with every chunk done: exit {status.ExitCode}: {status.StdOut.Trim()}{status.StdErr.Trim()}");
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("2 done, 0 not done, from every chunk's marker", status.StdOut);
    }

    // 22. slurm submit when the join job is refused ------------------------------------------------------

    [SkippableFact]
    public void ARefusedJoinJobCancelsTheChunksOrRecordsThem()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        Cli("plan", Sample, "--output-alpha", dir.File("pha.mp4"), "--input-resize", "64x64", "--chunk-frames", "15", "--out", dir.File("plan.json"), "--quiet");
        // A fake sbatch on PATH: it takes the array (job 4242) and refuses the join, as a cluster refusing the dependency does.
        string bin = dir.File("bin");
        Directory.CreateDirectory(bin);
        Script(Path.Combine(bin, "sbatch"), """
            case "$*" in
              *--array=*) [ -n "$NO_ID" ] && { echo "Submitted"; exit 0; }; echo 4242 ;;
              *) echo "sbatch: error: Batch job submission failed: Job dependency problem" >&2; exit 1 ;;
            esac
            """);
        Script(Path.Combine(bin, "scancel"), $$"""
            echo "$*" >> {{dir.File("scancelled")}}
            [ -n "$SCANCEL_FAILS" ] && { echo "scancel: error: Invalid job id specified" >&2; exit 1; }
            exit 0
            """);
        string path = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}";
        string jobs = dir.File("plan.segments/slurm-jobs.json");

        var refused = CliRunner.RunWithEnvironment(new Dictionary<string, string> { ["PATH"] = path }, "slurm", "submit", dir.File("plan.json"));
        _log.WriteLine($"join refused: exit {refused.ExitCode}: {refused.StdErr.Trim()}");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("the chunks job 4242 was cancelled, nothing is queued", Assert.Single(refused.StdErr.Trim().Split('\n')));
        Assert.Equal("4242", File.ReadAllText(dir.File("scancelled")).Trim());
        Assert.False(File.Exists(jobs));

        var uncancelled = CliRunner.RunWithEnvironment(new Dictionary<string, string> { ["PATH"] = path, ["SCANCEL_FAILS"] = "1" }, "slurm", "submit", dir.File("plan.json"));
        _log.WriteLine($"join refused, scancel failing: exit {uncancelled.ExitCode}: {uncancelled.StdErr.Trim()}");
        Assert.Equal(1, uncancelled.ExitCode);
        Assert.Contains($"stays queued, recorded in {jobs}", Assert.Single(uncancelled.StdErr.Trim().Split('\n')));
        Assert.Equal("4242", JsonNode.Parse(File.ReadAllText(jobs))!["chunks"]!.GetValue<string>());
        File.Delete(jobs);

        var noId = CliRunner.RunWithEnvironment(new Dictionary<string, string> { ["PATH"] = path, ["NO_ID"] = "1" }, "slurm", "submit", dir.File("plan.json"));
        _log.WriteLine($"sbatch printing no job id: exit {noId.ExitCode}: {noId.StdErr.Trim()}");
        Assert.Equal(1, noId.ExitCode);
        Assert.Contains("printed no job id", Assert.Single(noId.StdErr.Trim().Split('\n')));
        Assert.False(File.Exists(jobs));
    }

    // Review of the fixes ---------------------------------------------------------------------------------

    [SkippableFact]
    public void APlanWrittenAgainAfterAJoinIsNotJoinedUntilItsOwnJoin()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        string[] common = { "--input-resize", "64x64", "--chunk-frames", "15", "--warmup", "0", "--quiet" };
        Cli(new[] { "plan", Sample, "--output-composition", dir.File("com.mp4"), "--out", dir.File("plan.json") }.Concat(common).ToArray());
        for (int k = 0; k < 2; k++) Cli("chunk", dir.File("plan.json"), "--index", k.ToString());
        Cli("join", dir.File("plan.json"));
        string green = FileHash.Of(dir.File("com.mp4"));
        Cli(new[] { "plan", Sample, "--output-composition", dir.File("com.mp4"), "--background", "white", "--out", dir.File("plan.json") }.Concat(common).ToArray());

        // The new plan's chunks never ran: its join has nothing to join, whatever the old plan's output.
        var join = CliRunner.Run("join", dir.File("plan.json"));
        _log.WriteLine($"join of a plan written again over a joined one: exit {join.ExitCode}: {join.StdOut.Trim()}{join.StdErr.Trim()}");
        Assert.Equal(1, join.ExitCode);
        Assert.Contains("2 chunk(s) not done (0, 1)", Assert.Single(join.StdErr.Trim().Split('\n')));
        Directory.CreateDirectory(dir.File("bin"));
        var status = CliRunner.RunWithEnvironment(new Dictionary<string, string> { ["PATH"] = dir.File("bin") }, "slurm", "status", dir.File("plan.json"));
        _log.WriteLine($"slurm status of it: exit {status.ExitCode}: {status.StdOut.Trim()}{status.StdErr.Trim()}");
        Assert.Equal(0, status.ExitCode);
        Assert.DoesNotContain("joined", status.StdOut);
        Assert.Contains("2 chunk(s): 0 done, 2 not done (0, 1)", status.StdOut);
        Assert.Equal(green, FileHash.Of(dir.File("com.mp4")));

        // Its own chunks and join: joined, and only then.
        for (int k = 0; k < 2; k++) Cli("chunk", dir.File("plan.json"), "--index", k.ToString());
        Assert.Contains("joined 2 chunk(s)", Cli("join", dir.File("plan.json")).StdOut);
        Assert.NotEqual(green, FileHash.Of(dir.File("com.mp4")));
        Assert.Contains("already joined", Cli("join", dir.File("plan.json")).StdOut);
        Assert.Contains("joined, 2 chunk(s), 30 frames", CliRunner.RunWithEnvironment(new Dictionary<string, string> { ["PATH"] = dir.File("bin") }, "slurm", "status", dir.File("plan.json")).StdOut);
    }

    [SkippableFact]
    public void TheNextJoinRemovesWhatAKilledJoinLeftAndNothingOfALiveOne()
    {
        MediaTools.SkipIfMissing();
        Skip.IfNot(OperatingSystem.IsLinux(), "tells a dead writer from a live one by /proc/PID (Linux)");
        using var dir = new TempFolder();
        Cli("plan", Sample, "--output-alpha", dir.File("pha"), "--output-composition", dir.File("com.mp4"), "--input-resize", "64x64",
            "--chunk-frames", "15", "--warmup", "0", "--out", dir.File("plan.json"), "--quiet");
        for (int k = 0; k < 2; k++) Cli("chunk", dir.File("plan.json"), "--index", k.ToString());

        // A join killed outright: its temporary folder (holding links to frames of the segments) and temporary video.
        using var join = CliRunner.Start(new Dictionary<string, string>(), "join", dir.File("plan.json"));
        var clock = Stopwatch.StartNew();
        while (!join.HasExited && Directory.GetFileSystemEntries(dir.Path, $".*.partial-{join.Id}-*").Length == 0 && clock.Elapsed < TimeSpan.FromSeconds(60)) Thread.SpinWait(100);
        if (!join.HasExited) Signal(join.Id, SigKill);
        Assert.True(join.WaitForExit(TimeSpan.FromSeconds(30)));
        int dead = join.Id;
        if (File.Exists(dir.File("com.mp4")))
        {
            // Finished before the kill: left as a killed join leaves it, by hand.
            Directory.Delete(dir.File("pha"), recursive: true);
            File.Delete(dir.File("com.mp4"));
            for (int k = 0; k < 2; k++) Cli("chunk", dir.File("plan.json"), "--index", k.ToString());
        }
        string guid = Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(dir.File($".pha.partial-{dead}-{guid}"));
        File.Copy(Directory.GetFiles(dir.File("plan.segments/alpha.00000"))[0], dir.File($".pha.partial-{dead}-{guid}/0000.png"));
        File.WriteAllText(dir.File($".com.partial-{dead}-{guid}.mp4"), "half a video");
        // A writer still alive, and a dead one's temporary of another output: neither is this join's to remove.
        using var live = Process.Start(new ProcessStartInfo("sleep", "120") { UseShellExecute = false })!;
        try
        {
            Directory.CreateDirectory(dir.File($".pha.partial-{live.Id}-{guid}"));
            File.WriteAllText(dir.File($".com.partial-{live.Id}-{guid}.mp4"), "being written");
            Directory.CreateDirectory(dir.File($".other.partial-{dead}-{guid}"));
            _log.WriteLine($"before the join: {string.Join(", ", Directory.GetFileSystemEntries(dir.Path, ".*partial*").Select(Path.GetFileName).Order())}");

            Assert.Contains("joined 2 chunk(s)", Cli("join", dir.File("plan.json")).StdOut);
            var left = Directory.GetFileSystemEntries(dir.Path, ".*partial*").Select(Path.GetFileName).Order().ToArray();
            _log.WriteLine($"after the join (killed writer {dead}, live writer {live.Id}): {string.Join(", ", left)}");
            Assert.Equal(new[] { $".com.partial-{live.Id}-{guid}.mp4", $".other.partial-{dead}-{guid}", $".pha.partial-{live.Id}-{guid}" }.Order(), left);
            Assert.Equal(30, Directory.GetFiles(dir.File("pha"), "*.png").Length);
            Assert.Equal(30, MediaTools.Video(dir.File("com.mp4")).Frames);
        }
        finally
        {
            live.Kill();
            live.WaitForExit();
        }
    }

    [SkippableFact]
    public void AFailingSqueueLeavesTheAnswerToTheMarkersAndSaysWhy()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        Cli("plan", Sample, "--output-alpha", dir.File("pha.mp4"), "--input-resize", "64x64", "--chunk-frames", "15", "--warmup", "0", "--out", dir.File("plan.json"), "--quiet");
        Cli("chunk", dir.File("plan.json"), "--index", "0");
        File.WriteAllText(dir.File("plan.segments/slurm-jobs.json"), "{\"chunks\": \"41\", \"join\": \"42\"}");
        string bin = dir.File("bin");
        Directory.CreateDirectory(bin);
        var path = new Dictionary<string, string> { ["PATH"] = bin };

        // Installed but without a configuration (as on a machine that is no Slurm submit host).
        Script(Path.Combine(bin, "squeue"), """
            echo "squeue: error: _establish_config_source: failed to fetch config" >&2
            echo "squeue: fatal: Could not establish a configuration source" >&2
            exit 1
            """);
        var status = CliRunner.RunWithEnvironment(path, "slurm", "status", dir.File("plan.json"));
        _log.WriteLine($"status with squeue failing: exit {status.ExitCode}: {status.StdOut.Trim()}{status.StdErr.Trim()}");
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("2 chunk(s): 1 done, 1 not done (1), from the markers alone (squeue failed: squeue: fatal: Could not establish a configuration source)", status.StdOut);
        Assert.Contains("join: job 42 (squeue failed: squeue: fatal: Could not establish a configuration source)", status.StdOut);
        Assert.DoesNotContain("failed or not run", status.StdOut);

        // A job the controller no longer knows is gone from the queue, not a failing squeue.
        Script(Path.Combine(bin, "squeue"), """
            echo "slurm_load_jobs error: Invalid job id specified" >&2
            exit 1
            """);
        status = CliRunner.RunWithEnvironment(path, "slurm", "status", dir.File("plan.json"));
        _log.WriteLine($"status with the jobs forgotten by the controller: exit {status.ExitCode}: {status.StdOut.Trim()}{status.StdErr.Trim()}");
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("1 done, 0 running, 0 pending, 1 failed or not run (1); join: job 42 gone from the queue", status.StdOut);
    }

    [SkippableFact]
    public void AFailedSubmitLeavesNoSegmentsFolderItMade()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        Cli("plan", Sample, "--output-alpha", dir.File("pha.mp4"), "--input-resize", "64x64", "--chunk-frames", "15", "--out", dir.File("plan.json"), "--quiet");
        string bin = dir.File("bin");
        Directory.CreateDirectory(bin);
        var noSlurm = new Dictionary<string, string> { ["PATH"] = bin };

        var missing = CliRunner.RunWithEnvironment(noSlurm, "slurm", "submit", dir.File("plan.json"));
        _log.WriteLine($"submit without sbatch: exit {missing.ExitCode}: {missing.StdErr.Trim()}; segments folder there: {Directory.Exists(dir.File("plan.segments"))}");
        Assert.Equal(1, missing.ExitCode);
        Assert.False(Directory.Exists(dir.File("plan.segments")));

        Script(Path.Combine(bin, "sbatch"), """
            echo "sbatch: error: Batch job submission failed: Invalid partition name specified" >&2
            exit 1
            """);
        var refused = CliRunner.RunWithEnvironment(noSlurm, "slurm", "submit", dir.File("plan.json"), "--partition", "nosuch");
        _log.WriteLine($"submit refused by sbatch: exit {refused.ExitCode}: {refused.StdErr.Trim()}; segments folder there: {Directory.Exists(dir.File("plan.segments"))}");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("Invalid partition name specified", Assert.Single(refused.StdErr.Trim().Split('\n')));
        Assert.False(Directory.Exists(dir.File("plan.segments")));

        // A segments folder that was there before (a chunk done here) stays as it was.
        Cli("chunk", dir.File("plan.json"), "--index", "0");
        var before = Directory.GetFileSystemEntries(dir.File("plan.segments")).Order().ToArray();
        Assert.Equal(1, CliRunner.RunWithEnvironment(noSlurm, "slurm", "submit", dir.File("plan.json")).ExitCode);
        Assert.Equal(before, Directory.GetFileSystemEntries(dir.File("plan.segments")).Order().ToArray());
    }

    [SkippableFact]
    public void MoreWorkersThanThreadsAreRefused()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        var r = CliRunner.Run("convert", Sample, "--output-alpha", dir.File("pha.mp4"), "--threads", "1", "--workers", "2");
        _log.WriteLine($"--threads 1 --workers 2: exit {r.ExitCode}: {r.StdErr.Trim()}");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--workers 2 is more than --threads 1", Assert.Single(r.StdErr.Trim().Split('\n')));
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [SkippableFact]
    public void ThePlanFileIsKeptApartFromEveryInputAndOutput()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        string input = dir.File("in.mp4");
        File.Copy(Sample, input);
        MediaTools.Ffmpeg("-f", "lavfi", "-i", "color=c=blue:size=64x64", "-frames:v", "1", dir.File("bg.png"));
        File.CreateSymbolicLink(dir.File("link-to-input.json"), input);
        string[] common = { "--output-alpha", dir.File("pha.mp4"), "--background", dir.File("bg.png"), "--input-resize", "64x64", "--chunk-frames", "15", "--quiet" };
        foreach (var (plan, expected) in new[]
                 {
                     (input, "the plan (--out) is the input"),
                     (dir.File("link-to-input.json"), "the plan (--out) is the input"),
                     (dir.File("bg.png"), "the plan (--out) is the --background"),
                     (dir.File("pha.mp4"), "--output-alpha and the plan (--out) name the same path"),
                 })
        {
            var r = CliRunner.Run(new[] { "plan", input, "--out", plan }.Concat(common).ToArray());
            _log.WriteLine($"--out {Path.GetFileName(plan)}: exit {r.ExitCode}: {r.StdErr.Trim()}");
            Assert.Equal(2, r.ExitCode);
            Assert.Contains(expected, Assert.Single(r.StdErr.Trim().Split('\n')));
        }
        Assert.Equal(FileHash.Of(Sample), FileHash.Of(input));
        Assert.False(File.Exists(dir.File("pha.mp4")));
    }

    /// <summary>
    /// A plan in a folder with a line break in its name (a pasted name, a script's stray "\n"): ffmpeg's concat list,
    /// which joins the video segments, is read line by line, so every chunk was converted and then the join failed
    /// ("Invalid data found when processing input"), exit 1, the work done for nothing. Refused when planning, one
    /// line; a folder of PNGs, joined by links, has no list and is still planned there.
    /// </summary>
    [SkippableFact]
    public void APlanWhoseSegmentsPathHasALineBreakIsRefusedWhenVideosAreJoined()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        string folder = dir.File("take\n2");
        Directory.CreateDirectory(folder);
        string input = Path.Combine(folder, "in.mp4");
        File.Copy(Sample, input);
        string[] small = { "--input-resize", "64x64", "--chunk-frames", "15", "--warmup", "0", "--quiet" };
        var r = CliRunner.Run(new[] { "plan", input, "--output-alpha", Path.Combine(folder, "pha.mp4"), "--out", Path.Combine(folder, "plan.json") }.Concat(small).ToArray());
        _log.WriteLine($"plan in a folder named take<LF>2, a video output: exit {r.ExitCode}: {r.StdErr.Trim()}");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("line break", Assert.Single(r.StdErr.Trim().Split('\n')));
        Assert.Equal(new[] { input }, Directory.GetFileSystemEntries(folder));

        r = CliRunner.Run(new[] { "plan", input, "--output-alpha", Path.Combine(folder, "pha"), "--out", Path.Combine(folder, "plan.json") }.Concat(small).ToArray());
        _log.WriteLine($"the same with a folder of PNGs: exit {r.ExitCode}: {r.StdErr.Trim()}");
        Assert.Equal(0, r.ExitCode);
    }

    [Fact]
    public void OneRuleTellsAPathInsideAFolder()
    {
        using var dir = new TempFolder();
        Directory.CreateDirectory(dir.File("a/b"));
        Directory.CreateDirectory(dir.File("ab"));
        Directory.CreateSymbolicLink(dir.File("link"), dir.File("a"));
        foreach (var (path, folder, inside) in new[]
                 {
                     (dir.File("a"), dir.File("a"), true),
                     (dir.File("a/b"), dir.File("a"), true),
                     (dir.File("a/b/c.png"), dir.File("a") + "/", true),
                     (dir.File("link/b"), dir.File("a"), true),
                     (dir.File("a/b"), dir.File("link"), true),
                     (dir.File("a/b/../../ab"), dir.File("a"), false),
                     (dir.File("ab"), dir.File("a"), false),
                     (dir.File("a"), dir.File("a/b"), false),
                 })
        {
            bool found = FileIdentity.IsSameOrInside(path, folder);
            _log.WriteLine($"{path[(dir.Path.Length + 1)..]} in {folder[(dir.Path.Length + 1)..]}: {found}");
            Assert.Equal(inside, found);
        }
    }

    // Helpers --------------------------------------------------------------------------------------------

    private const int SigKill = 9, SigInt = 2, SigCont = 18, SigStop = 19;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Signal(int pid, int signal);

    /// <summary>
    /// Stops the join over and over (SIGSTOP), looks into its temporary output folder, and sends it
    /// <paramref name="signal"/> once that holds some but not all frames.
    /// </summary>
    /// <returns>The frames in the temporary output when the signal went; 0 if the join ended first.</returns>
    private static int StopMidway(Process join, string folder, int frames, string signal)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            while (!join.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                Signal(join.Id, SigStop);
                while (!join.HasExited && !IsStopped(join.Id) && clock.Elapsed < TimeSpan.FromSeconds(60)) Thread.SpinWait(100);
                int count = Directory.GetDirectories(folder, $".pha.partial-{join.Id}-*").Sum(Count);
                if (count > 0 && count < frames)
                {
                    if (signal == "KILL")
                    {
                        Signal(join.Id, SigKill);
                    }
                    else
                    {
                        // Two Ctrl-Cs, the second while the first is being handled (it ends the process at once).
                        Signal(join.Id, SigInt);
                        Signal(join.Id, SigCont);
                        Thread.Sleep(20);
                        Signal(join.Id, SigInt);
                    }
                    return count;
                }
                Signal(join.Id, SigCont);
                // A moment to run (about a millisecond): a join stopped all the time would hardly start.
                Thread.Sleep(1);
            }
            return 0;
        }
        finally
        {
            if (!join.HasExited) Signal(join.Id, SigCont);
        }
    }

    private static int Count(string folder)
    {
        try
        {
            return Directory.GetFiles(folder).Length;
        }
        catch (DirectoryNotFoundException)
        {
            return 0;
        }
    }

    private static bool IsStopped(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('T');
        }
        catch (IOException)
        {
            return true;
        }
    }

    /// <summary>Every frame in the segments' folders, by name, with its bytes.</summary>
    private static Dictionary<string, byte[]> SegmentFrames(string segments)
        => Directory.GetDirectories(segments, "alpha.*").SelectMany(Directory.GetFiles).ToDictionary(f => Path.GetFileName(f)!, File.ReadAllBytes);

    /// <summary>Every file under <paramref name="folder"/> (markers and frames), by relative path, with its bytes.</summary>
    private static Dictionary<string, byte[]> Snapshot(string folder)
        => Directory.GetFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(folder, f), File.ReadAllBytes);

    private static void Restore(string folder, Dictionary<string, byte[]> snapshot)
    {
        foreach (var (name, bytes) in snapshot)
        {
            string path = Path.Combine(folder, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, bytes);
        }
    }

    private static void Edit(string planPath, Action<JsonNode> edit)
    {
        var plan = JsonNode.Parse(File.ReadAllText(planPath))!;
        edit(plan);
        File.WriteAllText(planPath, plan.ToJsonString());
    }

    private static void Script(string path, string body)
    {
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }


    private CliRunner.Result Cli(params string[] args)
    {
        var r = CliRunner.Run(args);
        _log.WriteLine($"mattekit {string.Join(' ', args)}: {r.StdOut}{r.StdErr}");
        Assert.True(r.ExitCode == 0, $"{string.Join(' ', args)}: {r.StdErr}");
        return r;
    }
}
