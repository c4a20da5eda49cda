using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MatteKit.Tests.TestSupport;

/// <summary>
/// <c>mattekit live --preview</c> as a child process for tests of its page: started on the sample clip played in a
/// loop, the page's address (its token included) read from the line the CLI prints, plain HTTP on loopback. Disposing
/// kills the child's process tree if it is still running, whatever happened.
/// </summary>
public sealed partial class LivePreviewProcess : IDisposable
{
    public static readonly string Sample = Path.Combine(SharedData.RepoRoot, "samples", "astronaut_zoom.mp4");
    private readonly Process _cli;
    private readonly StringBuilder _stderr = new();
    private readonly Task<string> _stdout;

    private LivePreviewProcess(Process cli)
    {
        _cli = cli;
        _stdout = cli.StandardOutput.ReadToEndAsync();
    }

    /// <summary>The page's address as printed, token included (http://HOST:PORT/?token=...).</summary>
    public string PageUrl { get; private set; } = "";

    /// <summary>The token the page's address carries.</summary>
    public string Token { get; private set; } = "";

    /// <summary>http://HOST:PORT, for requests with or without the token.</summary>
    public string Origin { get; private set; } = "";

    public int Id => _cli.Id;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(20) };

    public string StdErr
    {
        get { lock (_stderr) return _stderr.ToString(); }
    }

    /// <summary>Starts <c>live SAMPLE --realtime --loop --preview PREVIEW ARGS</c> and waits (at most a minute) for the page's address.</summary>
    public static LivePreviewProcess Start(string preview, IReadOnlyDictionary<string, string>? environment, params string[] args)
        => StartOn(Sample, preview, environment, args);

    /// <summary>As <see cref="Start"/>, on another input file.</summary>
    public static LivePreviewProcess StartOn(string input, string preview, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var cli = CliRunner.Start(environment ?? new Dictionary<string, string>(),
            new[] { "live", input, "--realtime", "--loop", "--preview", preview, "--threads", "2", "--quiet" }.Concat(args).ToArray());
        var live = new LivePreviewProcess(cli);
        var announced = new ManualResetEventSlim();
        cli.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (live._stderr) live._stderr.AppendLine(e.Data);
            if (PreviewLine().Match(e.Data) is { Success: true } m && !announced.IsSet)
            {
                live.PageUrl = m.Groups["url"].Value;
                live.Origin = m.Groups["origin"].Value;
                live.Token = m.Groups["token"].Value;
                announced.Set();
            }
        };
        cli.BeginErrorReadLine();
        if (!announced.Wait(TimeSpan.FromSeconds(60)))
        {
            live.Dispose();
            throw new TimeoutException($"no preview line in 60 s: {live.StdErr}");
        }
        return live;
    }

    [GeneratedRegex(@"preview at (?<url>(?<origin>http://[^/\s]+)/\?token=(?<token>[0-9a-f]+))")]
    private static partial Regex PreviewLine();

    /// <summary>Waits (at most <paramref name="timeout"/>) until the session has matted frames and answers its stats.</summary>
    public JsonElement WaitForStats(Func<JsonElement, bool> ready, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        JsonElement last = default;
        while (clock.Elapsed < timeout)
        {
            try
            {
                var response = Http.GetAsync($"{Origin}/stats?token={Token}").Result;
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    last = JsonDocument.Parse(response.Content.ReadAsStringAsync().Result).RootElement.Clone();
                    if (!last.TryGetProperty("starting", out _) && ready(last)) return last;
                }
            }
            catch (AggregateException e) when (e.InnerException is HttpRequestException or TaskCanceledException)
            {
            }
            Thread.Sleep(250);
        }
        throw new TimeoutException($"stats not ready in {timeout}: {last}");
    }

    public HttpResponseMessage PostJson(string pathAndQuery, string json)
        => Http.PostAsync(Origin + pathAndQuery, new StringContent(json, Encoding.UTF8, "application/json")).Result;

    public HttpResponseMessage PostBytes(string pathAndQuery, byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        return Http.PostAsync(Origin + pathAndQuery, content).Result;
    }

    /// <summary>The child's peak resident memory so far (VmHWM), in MB; 0 where /proc does not say.</summary>
    public double PeakMemoryMb()
    {
        try
        {
            var line = File.ReadLines($"/proc/{_cli.Id}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>Ends the session as Ctrl-C does and waits (at most 30 s); the exit code, stdout and stderr.</summary>
    public CliRunner.Result Interrupt()
    {
        using (var signal = Process.Start("kill", new[] { "-INT", _cli.Id.ToString() })) signal.WaitForExit();
        return WaitForExit(TimeSpan.FromSeconds(30));
    }

    /// <summary>Waits at most <paramref name="timeout"/> for the child to end by itself.</summary>
    public CliRunner.Result WaitForExit(TimeSpan timeout)
    {
        if (!_cli.WaitForExit(timeout))
        {
            _cli.Kill(entireProcessTree: true);
            throw new TimeoutException($"live did not end in {timeout}: {StdErr}");
        }
        _cli.WaitForExit();
        return new CliRunner.Result(_cli.ExitCode, _stdout.Result, StdErr);
    }

    /// <summary>A port free on loopback now.</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public void Dispose()
    {
        try
        {
            if (!_cli.HasExited) _cli.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
        Http.Dispose();
        _cli.Dispose();
    }
}
