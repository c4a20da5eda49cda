using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using MatteKit.Chunking;
using MatteKit.Media;

namespace MatteKit.Cli;

/// <summary>
/// <c>mattekit slurm submit plan.json</c>: the plan's chunks as one Slurm job array (<c>sbatch --array=0-(N-1)%K
/// --requeue</c>, task K running <c>mattekit chunk plan.json --index $SLURM_ARRAY_TASK_ID</c>) and a join job that
/// waits for all of them (<c>--dependency=afterok</c>); a refused join cancels the array (or, where scancel fails,
/// records it and says so), and an sbatch that prints no job id is a failure. <c>mattekit slurm status plan.json</c>:
/// chunks done (their markers), running, pending and failed (squeue), and the join; from the markers alone when every
/// chunk is done or squeue is not installed or fails (its error printed). A submit that queued nothing leaves no
/// segments folder it made. The plan, the input and the outputs must be on a filesystem every node
/// sees, and mattekit installed on the nodes at the path given by <c>--mattekit</c>.
/// </summary>
internal static partial class SlurmCommand
{
    private static readonly Argument<string> Plan = OptionValues.PathArgument<string>("PLAN", "a plan written by mattekit plan", "give the plan's file (plan.json)", use: PathUse.Read);
    private static readonly Option<int?> MaxParallel = OptionValues.WholeNumber("--max-parallel", "chunks running at once (the array's %K; default: no limit)", 1);
    private static readonly Option<string?> Partition = OptionValues.Path("--partition", "the Slurm partition", "P");
    private static readonly Option<string[]> SbatchOption = new("--sbatch-option")
    {
        Description = "an option for both sbatch calls, e.g. --sbatch-option=--time=02:00:00 (repeatable)",
        HelpName = "OPT",
        AllowMultipleArgumentsPerToken = false,
    };
    private static readonly Option<string?> Program = OptionValues.Path("--mattekit",
        "the mattekit command as the nodes run it (default: this one, as started here)", "COMMAND");

    public static Command Build()
    {
        var submit = new Command("submit", "Submit a plan's chunks as a job array and its join as a dependent job; prints the job ids")
        {
            Plan, MaxParallel, Partition, SbatchOption, Program,
        };
        submit.SetAction(Submit);
        var status = new Command("status", "Chunks of a plan done, running, pending and failed, and the join job") { Plan };
        status.SetAction(Status);
        return new Command("slurm", "Run a plan on a Slurm cluster") { submit, status };
    }

    private static int Submit(ParseResult parse)
    {
        var plan = ConversionPlan.Load(parse.GetRequiredValue(Plan));
        plan.CheckInput();
        bool madeSegments = !Directory.Exists(plan.Segments);
        Directory.CreateDirectory(plan.Segments);
        bool queued = false;
        try
        {
            return Submit(parse, plan, ref queued);
        }
        catch (MediaFormatException) when (madeSegments && !queued)
        {
            // Nothing queued, so no job will write its log here: the folder made above goes again (it is empty; a
            // non-recursive delete never takes what a chunk run meanwhile wrote).
            try
            {
                Directory.Delete(plan.Segments);
            }
            catch (IOException)
            {
            }
            throw;
        }
    }

    /// <param name="parse">The command line.</param>
    /// <param name="plan">The plan submitted.</param>
    /// <param name="queued">Set once sbatch accepted a job (even one whose id it did not print); cleared when it was cancelled.</param>
    private static int Submit(ParseResult parse, ConversionPlan plan, ref bool queued)
    {
        string program = parse.GetValue(Program) ?? string.Join(' ', SelfCommand.Words().Select(Quote));
        var common = new List<string>();
        if (parse.GetValue(Partition) is { } partition) common.AddRange(new[] { "--partition", partition });
        common.AddRange(parse.GetValue(SbatchOption) ?? Array.Empty<string>());
        string name = Path.GetFileNameWithoutExtension(plan.PlanPath);
        string array = $"0-{plan.Chunks.Count - 1}" + (parse.GetValue(MaxParallel) is { } k ? $"%{k}" : "");
        var chunks = new List<string> { "--parsable", $"--array={array}", "--requeue", $"--job-name=mattekit-{name}",
            $"--output={Path.Combine(plan.Segments, "slurm-%A_%a.out")}" };
        chunks.AddRange(common);
        chunks.Add($"--wrap={program} chunk {Quote(plan.PlanPath)} --index $SLURM_ARRAY_TASK_ID --quiet");
        string arrayJob = Sbatch(chunks, $"the chunks (job name mattekit-{name})", ref queued);
        var join = new List<string> { "--parsable", $"--dependency=afterok:{arrayJob}", "--kill-on-invalid-dep=yes", $"--job-name=mattekit-{name}-join",
            $"--output={Path.Combine(plan.Segments, "slurm-join-%j.out")}" };
        join.AddRange(common);
        join.Add($"--wrap={program} join {Quote(plan.PlanPath)} --quiet");
        string joinJob;
        try
        {
            joinJob = Sbatch(join, $"the join (job name mattekit-{name}-join)", ref queued);
        }
        catch (MediaFormatException e)
        {
            // The chunks are queued already: without their join they would run for nothing, unrecorded.
            string? notCancelled;
            try
            {
                notCancelled = RunTool("scancel", new[] { arrayJob }) is not { } scancel ? "scancel not found"
                    : scancel.Code == 0 ? null : Last(scancel.Stderr);
            }
            catch (MediaFormatException c)
            {
                notCancelled = c.Problem;
            }
            if (notCancelled is null)
            {
                queued = false;
                throw new MediaFormatException("sbatch", $"{e.Problem}; the chunks job {arrayJob} was cancelled, nothing is queued");
            }
            RecordJobs(plan, arrayJob, null);
            throw new MediaFormatException("sbatch", $"{e.Problem}; the chunks job {arrayJob} could not be cancelled ({notCancelled}) and " +
                $"stays queued, recorded in {JobsPath(plan)}: cancel it with scancel {arrayJob}, or run mattekit join {plan.PlanPath} when it is done");
        }
        try
        {
            RecordJobs(plan, arrayJob, joinJob);
        }
        catch (MediaFormatException e)
        {
            throw new MediaFormatException(JobsPath(plan), $"{e.Problem}: the chunks job {arrayJob} and the join job {joinJob} are queued but not recorded; " +
                "slurm status cannot follow them (squeue can)");
        }
        Console.WriteLine($"chunks: job {arrayJob} (array {array}, {plan.Chunks.Count} task(s)); join: job {joinJob} (after every chunk succeeds)");
        Console.WriteLine($"follow with: mattekit slurm status {plan.PlanPath}");
        return 0;
    }

    private static void RecordJobs(ConversionPlan plan, string chunks, string? join)
    {
        var jobs = new Dictionary<string, string> { ["chunks"] = chunks };
        if (join is not null) jobs["join"] = join;
        OutputFile.WriteAllText(JobsPath(plan), JsonSerializer.Serialize(jobs));
    }

    private static int Status(ParseResult parse)
    {
        var plan = ConversionPlan.Load(parse.GetRequiredValue(Plan));
        // The join's record names the plan it joined: outputs of an earlier plan written to this path are not this one's.
        if (plan.IsJoined())
        {
            Console.WriteLine($"{plan.PlanPath}: joined, {plan.Chunks.Count} chunk(s), {plan.Frames} frames: {string.Join(", ", plan.Outputs.Select(o => o.Path))}");
            return 0;
        }
        var jobs = ReadJobs(plan);
        var done = plan.Chunks.Where(plan.IsDone).Select(c => c.Index).ToHashSet();
        string JoinState()
        {
            if (jobs?.Join is not { } id) return jobs is null ? "not submitted" : "no join job recorded";
            var (queued, unavailable) = Squeue(id, "%T");
            if (queued is null) return $"job {id} ({unavailable})";
            return $"job {id} " + (queued.FirstOrDefault() ?? "gone from the queue");
        }

        // The markers answer alone when every chunk is done, or when squeue is not here to ask or cannot answer.
        var (chunkLines, squeueUnavailable) = jobs is null || done.Count == plan.Chunks.Count ? (null, null) : Squeue(jobs.Chunks, "%K %T %N");
        if (chunkLines is null)
        {
            string source = done.Count == plan.Chunks.Count ? "every chunk's marker" : jobs is null ? "the markers (not submitted)" : $"the markers alone ({squeueUnavailable})";
            var notDone = plan.Chunks.Select(c => c.Index).Where(i => !done.Contains(i)).ToList();
            Console.WriteLine($"{plan.PlanPath}: {plan.Chunks.Count} chunk(s): {done.Count} done, {notDone.Count} not done" +
                              (notDone.Count > 0 ? $" ({string.Join(", ", notDone.Take(20))})" : "") + $", from {source}; join: {JoinState()}");
            return 0;
        }
        var states = new Dictionary<int, (string State, string Node)>();
        foreach (var line in chunkLines)
        {
            var parts = line.Split(' ', 3);
            if (parts.Length < 2) continue;
            // A pending array holds its untouched tasks in one line ("0-9%3"): each of them is pending.
            foreach (int index in Indexes(parts[0], plan.Chunks.Count)) states[index] = (parts[1], parts.Length > 2 ? parts[2] : "");
        }
        string joinState = JoinState();
        var running = states.Where(s => !done.Contains(s.Key) && s.Value.State is "RUNNING" or "COMPLETING").ToList();
        var pending = states.Where(s => !done.Contains(s.Key) && s.Value.State is "PENDING" or "REQUEUED" or "CONFIGURING").ToList();
        var failed = plan.Chunks.Select(c => c.Index).Where(i => !done.Contains(i) && !running.Any(r => r.Key == i) && !pending.Any(p => p.Key == i)).ToList();
        Console.WriteLine($"{plan.PlanPath}: {plan.Chunks.Count} chunk(s): {done.Count} done, {running.Count} running" +
                          (running.Count > 0 ? $" ({string.Join(", ", running.Select(r => $"{r.Key} on {r.Value.Node}"))})" : "") +
                          $", {pending.Count} pending, {failed.Count} failed or not run" + (failed.Count > 0 ? $" ({string.Join(", ", failed.Take(20))})" : "") +
                          $"; join: {joinState}");
        return 0;
    }

    /// <summary>The job ids <c>submit</c> recorded; null when it has not run.</summary>
    /// <exception cref="MediaFormatException">The file is not what <c>submit</c> writes (one line naming it).</exception>
    private static SlurmJobs? ReadJobs(ConversionPlan plan)
    {
        string path = JobsPath(plan);
        if (!File.Exists(path)) return null;
        try
        {
            using var json = JsonDocument.Parse(InputFile.ReadAllBytes(path, 4096, "a Slurm jobs file"));
            if (json.RootElement.ValueKind != JsonValueKind.Object) throw Damaged(path, "is not a JSON object");
            string chunks = JobId(json.RootElement, "chunks") ?? throw Damaged(path, "records no chunks job");
            return new SlurmJobs(chunks, JobId(json.RootElement, "join"));
        }
        catch (JsonException e)
        {
            throw Damaged(path, $"is not JSON ({e.Message})");
        }
        catch (MediaFormatException) when (!File.Exists(path))
        {
            return null; // removed meanwhile by the join
        }

        string? JobId(JsonElement root, string key)
        {
            if (!root.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null) return null;
            string? id = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            };
            return id is not null && JobIdText().IsMatch(id) ? id : throw Damaged(path, $"'{key}' is {value.GetRawText()}, not a job id");
        }
    }

    private static MediaFormatException Damaged(string jobsFile, string problem)
        => new(jobsFile, $"{problem}; the file is damaged (delete it and submit again, or read the jobs with squeue)");

    [GeneratedRegex(@"^\d{1,18}$")]
    private static partial Regex JobIdText();

    private sealed record SlurmJobs(string Chunks, string? Join);

    private static IEnumerable<int> Indexes(string field, int count)
    {
        // "7", or "[0-9%3]" / "[3,5-7]" for tasks not started yet.
        string text = field.Split('_')[^1].Trim('[', ']');
        text = text.Split('%')[0];
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var range = part.Split('-');
            if (!int.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out int from)) continue;
            int to = range.Length > 1 && int.TryParse(range[1], NumberStyles.None, CultureInfo.InvariantCulture, out int t) ? t : from;
            for (int i = from; i <= Math.Min(to, count - 1); i++) yield return i;
        }
    }

    private static string JobsPath(ConversionPlan plan) => Path.Combine(plan.Segments, "slurm-jobs.json");

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <param name="args">sbatch's arguments.</param>
    /// <param name="what">What the job is, for the message when sbatch gives no id.</param>
    /// <param name="queued">Set when sbatch accepted the job (exit 0), before its id is read.</param>
    private static string Sbatch(IEnumerable<string> args, string what, ref bool queued)
    {
        var (code, stdout, stderr) = RunTool("sbatch", args)
            ?? throw new MediaFormatException("sbatch", "not found: this machine is not a Slurm submit host (Debian: apt-get install slurm-client)");
        if (code != 0) throw new MediaFormatException("sbatch", $"refused {what} ({Last(stderr)})");
        queued = true;
        // --parsable prints "ID" or "ID;CLUSTER"; anything else is no job id, even with exit 0.
        string id = stdout.Trim().Split('\n')[0].Split(';')[0].Trim();
        if (!JobIdText().IsMatch(id))
            throw new MediaFormatException("sbatch", $"printed no job id for {what} (it printed '{Last(stdout)}'); look for it with squeue --name and cancel it");
        return id;
    }

    private static string Last(string text) => text.Trim().Split('\n')[^1].Trim();

    /// <summary>
    /// squeue's lines for <paramref name="job"/> (none once the job has left the queue); null lines, and why, when squeue
    /// is not installed here or fails (no configuration, no controller): then it knows nothing, not "no such job".
    /// </summary>
    private static (IReadOnlyList<string>? Lines, string? Unavailable) Squeue(string job, string format)
    {
        if (RunTool("squeue", new[] { "-h", "-r", "-t", "all", "-j", job, "-o", format }) is not { } squeue) return (null, "squeue not found");
        var (code, stdout, stderr) = squeue;
        if (code == 0) return (stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).ToList(), null);
        // A job the controller has forgotten (finished long ago) is an error to squeue; it is simply gone from the queue.
        if (stderr.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase)) return (Array.Empty<string>(), null);
        string error = stderr.Trim().Length > 0 ? Last(stderr) : $"exit {code}";
        return (null, $"squeue failed: {error}");
    }

    /// <returns>Null when <paramref name="tool"/> is not installed.</returns>
    private static (int Code, string Stdout, string Stderr)? RunTool(string tool, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(tool) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process process;
        try
        {
            // Null only when the shell reuses a process, and this runs none.
            process = Process.Start(psi) ?? throw new InvalidOperationException($"{tool}: no process started");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                process.Kill(entireProcessTree: true);
                throw new MediaFormatException(tool, "did not answer in 60 s (is slurmctld up?)");
            }
            return (process.ExitCode, stdout.Result, stderr.Result);
        }
    }
}
