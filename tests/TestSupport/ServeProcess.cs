using System.Diagnostics;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MatteKit.Tests.TestSupport;

/// <summary>
/// <c>mattekit serve</c> as a child process for tests of its API: on 127.0.0.1 at a port the system picks (read from
/// the line it prints), its jobs in a fresh folder. Disposing kills the child's process tree if it still runs and
/// removes the folder, whatever happened.
/// </summary>
public sealed partial class ServeProcess : IDisposable
{
    public static readonly string Sample = Path.Combine(SharedData.RepoRoot, "samples", "astronaut_zoom.mp4");
    private readonly Process _cli;
    private readonly StringBuilder _stderr = new();
    private readonly Task<string> _stdout;
    private readonly TempFolder _temp;

    private ServeProcess(Process cli, TempFolder temp)
    {
        _cli = cli;
        _temp = temp;
        _stdout = cli.StandardOutput.ReadToEndAsync();
    }

    /// <summary>http://127.0.0.1:PORT (no slash at the end).</summary>
    public string Origin { get; private set; } = "";

    /// <summary>The folder of the jobs (--data).</summary>
    public string Data => _temp.File("jobs");

    /// <summary>A scratch folder beside it, removed with it.</summary>
    public TempFolder Scratch => _temp;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public string StdErr
    {
        get { lock (_stderr) return _stderr.ToString(); }
    }

    /// <summary>Starts <c>serve --port 0 --data DIR ARGS</c> and waits (at most a minute) for its address.</summary>
    public static ServeProcess Start(params string[] args)
    {
        var temp = new TempFolder();
        var cli = CliRunner.Start(new Dictionary<string, string>(),
            new[] { "serve", "--port", "0", "--data", Path.Combine(temp.Path, "jobs") }.Concat(args).ToArray());
        var serve = new ServeProcess(cli, temp);
        var announced = new ManualResetEventSlim();
        cli.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (serve._stderr) serve._stderr.AppendLine(e.Data);
            if (ListeningLine().Match(e.Data) is { Success: true } m && !announced.IsSet)
            {
                serve.Origin = m.Groups["origin"].Value;
                announced.Set();
            }
        };
        cli.BeginErrorReadLine();
        cli.Exited += (_, _) => announced.Set();
        cli.EnableRaisingEvents = true;
        if (!announced.Wait(TimeSpan.FromSeconds(60)) || serve.Origin.Length == 0)
        {
            var said = serve.StdErr;
            serve.Dispose();
            throw new TimeoutException($"serve printed no address in 60 s: {said}");
        }
        return serve;
    }

    [GeneratedRegex(@"listening at (?<origin>http://[^/\s]+)/")]
    private static partial Regex ListeningLine();

    /// <summary>A job: the options part (JSON), then the input's bytes under <paramref name="fileName"/>.</summary>
    public static MultipartFormDataContent JobContent(string optionsJson, byte[] input, string fileName)
    {
        var content = new MultipartFormDataContent();
        content.Add(new StringContent(optionsJson, Encoding.UTF8, "application/json"), "options");
        var file = new ByteArrayContent(input);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Add(file, "input", fileName);
        return content;
    }

    /// <summary>Posts a job; the answer's status and body.</summary>
    public (int Status, string Body) Submit(string optionsJson, string inputPath)
    {
        using var response = Http.PostAsync($"{Origin}/api/jobs", JobContent(optionsJson, File.ReadAllBytes(inputPath), Path.GetFileName(inputPath))).Result;
        return ((int)response.StatusCode, response.Content.ReadAsStringAsync().Result);
    }

    /// <summary>GET of a path; the status and body.</summary>
    public (int Status, string Body) Get(string path)
    {
        using var response = Http.GetAsync(Origin + path).Result;
        return ((int)response.StatusCode, response.Content.ReadAsStringAsync().Result);
    }

    /// <summary>Sends a request; the status and body.</summary>
    public (int Status, string Body) Send(HttpRequestMessage request)
    {
        using var response = Http.SendAsync(request).Result;
        return ((int)response.StatusCode, response.Content.ReadAsStringAsync().Result);
    }

    public JsonElement Job(string id)
    {
        var (status, body) = Get($"/api/jobs/{id}");
        if (status != 200) throw new InvalidOperationException($"GET /api/jobs/{id}: {status} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Polls the job until <paramref name="ready"/> holds (at most <paramref name="timeout"/>).</summary>
    public JsonElement WaitForJob(string id, Func<JsonElement, bool> ready, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        JsonElement last;
        do
        {
            last = Job(id);
            if (ready(last)) return last;
            Thread.Sleep(100);
        } while (clock.Elapsed < timeout);
        throw new TimeoutException($"job {id} not ready in {timeout}: {last}");
    }

    /// <summary>The job folders in the data folder now.</summary>
    public IReadOnlyList<string> JobFolders()
        => Directory.Exists(Data) ? Directory.EnumerateDirectories(Data).Select(Path.GetFileName).ToList()! : new List<string>();

    /// <summary>Ends the server as Ctrl-C does and waits (at most 30 s); the exit code, stdout and stderr.</summary>
    public CliRunner.Result Interrupt()
    {
        using (var signal = Process.Start("kill", new[] { "-INT", _cli.Id.ToString() })) signal.WaitForExit();
        if (!_cli.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            _cli.Kill(entireProcessTree: true);
            throw new TimeoutException($"serve did not end in 30 s: {StdErr}");
        }
        _cli.WaitForExit();
        return new CliRunner.Result(_cli.ExitCode, _stdout.Result, StdErr);
    }

    public void Dispose()
    {
        try
        {
            if (!_cli.HasExited) _cli.Kill(entireProcessTree: true);
            _cli.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
        }
        Http.Dispose();
        _cli.Dispose();
        try
        {
            _temp.Dispose();
        }
        catch (IOException)
        {
        }
    }
}
