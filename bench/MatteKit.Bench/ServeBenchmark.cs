using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace MatteKit.Bench;

/// <summary>
/// <c>serve</c> mode: what <c>mattekit serve</c> costs against <c>mattekit convert</c> on the same clip (10 s of the
/// shared 720p juggling clip, stream copy), both run as a user runs them (the built CLI as a child process, model load
/// included): convert's wall time, then one job through the server from its upload to its output downloaded (events
/// followed); jobs per minute from each. Then the server's memory with 50 jobs queued behind the one running (its
/// resident set before, with them, and its peak), after which it is stopped with SIGINT.
/// Options: --shared DIR, --cli PATH (default: the Release build of src/MatteKit.Cli beside this repository),
/// --seconds N (default 10), --queued N (default 50).
/// </summary>
internal static class ServeBenchmark
{
    private const string Options = "{\"outputs\": {\"composition\": \"mp4\"}}";

    public static int Run(string[] args, string shared, string repoRoot)
    {
        string cli = BenchArguments.Option(args, "--cli") ?? Path.Combine(repoRoot, "src", "MatteKit.Cli", "bin", "Release", "net10.0", "MatteKit.Cli.dll");
        double seconds = double.Parse(BenchArguments.Option(args, "--seconds") ?? "10", CultureInfo.InvariantCulture);
        int queued = int.Parse(BenchArguments.Option(args, "--queued") ?? "50", CultureInfo.InvariantCulture);
        string source = Path.Combine(BenchArguments.Option(args, "--shared") ?? shared, "media", "clips", "juggle_fullbody_720p.mp4");
        if (!File.Exists(cli)) { Console.Error.WriteLine($"missing {cli} (dotnet build src/MatteKit.Cli -c Release, or give --cli)"); return 1; }
        if (!File.Exists(source)) { Console.Error.WriteLine($"missing {source} (give --shared DIR)"); return 1; }
        var work = Directory.CreateTempSubdirectory("mattekit-bench-serve-");
        try
        {
            string clip = Path.Combine(work.FullName, "clip.mp4");
            Run("ffmpeg", "-nostdin", "-v", "error", "-y", "-i", source, "-t", seconds.ToString(CultureInfo.InvariantCulture), "-c", "copy", clip);
            Console.WriteLine($"# serve benchmark, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {seconds} s of {Path.GetFileName(source)}");
            if (File.Exists("/proc/loadavg")) Console.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()}");

            var clock = Stopwatch.StartNew();
            Run("dotnet", cli, "convert", clip, "--output-composition", Path.Combine(work.FullName, "convert.mp4"), "--quiet");
            double convert = clock.Elapsed.TotalSeconds;

            using var server = ServeChild.Start(cli, Path.Combine(work.FullName, "jobs"), queued);
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
            clock.Restart();
            string id = Submit(http, server.Origin, clip);
            WaitDone(http, server.Origin, id);
            var outputUrl = JsonDocument.Parse(http.GetStringAsync($"{server.Origin}/api/jobs/{id}").Result).RootElement
                .GetProperty("outputs").GetProperty("composition").GetString();
            long bytes = http.GetByteArrayAsync(server.Origin + outputUrl).Result.LongLength;
            double serve = clock.Elapsed.TotalSeconds;
            http.DeleteAsync($"{server.Origin}/api/jobs/{id}").Wait();

            Console.WriteLine();
            Console.WriteLine("| run | wall s | jobs per minute |");
            Console.WriteLine("| --- | --- | --- |");
            Console.WriteLine($"| convert (process start, model load, conversion) | {convert:F1} | {60 / convert:F2} |");
            Console.WriteLine($"| serve job (upload, queue, conversion, events, {bytes / 1e6:F1} MB download) | {serve:F1} | {60 / serve:F2} |");
            Console.WriteLine($"server overhead: {serve - convert:+0.0;-0.0} s a job ({(serve / convert - 1) * 100:+0;-0} %); the server's process and model load are paid once, at its start");

            double idle = server.ResidentMb();
            clock.Restart();
            for (int i = 0; i <= queued; i++) Submit(http, server.Origin, clip);
            double submitted = clock.Elapsed.TotalSeconds;
            var list = JsonDocument.Parse(http.GetStringAsync($"{server.Origin}/api/jobs").Result).RootElement;
            int waiting = list.EnumerateArray().Count(j => j.GetProperty("status").GetString() == "queued");
            double withQueue = server.ResidentMb();
            Console.WriteLine();
            Console.WriteLine($"{queued + 1} jobs submitted in {submitted:F1} s ({waiting} queued, one running): server resident {idle:F0} MB before, " +
                              $"{withQueue:F0} MB with them, peak {server.PeakMb():F0} MB");
            var (code, said) = server.Interrupt();
            Console.WriteLine($"SIGINT: exit {code}; {said}; job folders left: {Directory.EnumerateDirectories(Path.Combine(work.FullName, "jobs")).Count()}");
            return 0;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static string Submit(HttpClient http, string origin, string clip)
    {
        using var content = new MultipartFormDataContent
        {
            { new StringContent(Options, Encoding.UTF8, "application/json"), "options" },
            { new ByteArrayContent(File.ReadAllBytes(clip)) { Headers = { ContentType = new MediaTypeHeaderValue("video/mp4") } }, "input", "clip.mp4" },
        };
        using var answer = http.PostAsync($"{origin}/api/jobs", content).Result;
        string body = answer.Content.ReadAsStringAsync().Result;
        if ((int)answer.StatusCode != 201) throw new InvalidOperationException($"POST /api/jobs: {(int)answer.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>Follows the job's event stream to its end.</summary>
    private static void WaitDone(HttpClient http, string origin, string id)
    {
        using var reader = new StreamReader(http.GetStreamAsync($"{origin}/api/jobs/{id}/events").Result);
        string? line, last = null;
        while ((line = reader.ReadLine()) is not null)
            if (line.StartsWith("data: ", StringComparison.Ordinal)) last = line[6..];
        string status = last is null ? "none" : JsonDocument.Parse(last).RootElement.GetProperty("status").GetString()!;
        if (status != "done") throw new InvalidOperationException($"job {id} ended {status}: {last}");
    }

    private static void Run(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', args)}: exit {p.ExitCode}: {error}");
    }
}
