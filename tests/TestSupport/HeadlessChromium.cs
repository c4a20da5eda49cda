using System.Diagnostics;
using System.Net.Http;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MatteKit.Tests.TestSupport;

/// <summary>
/// Debian's Chromium, headless, driven over the DevTools protocol (a WebSocket on loopback): open a page, run
/// script in it, press keys, take a screenshot. Its profile lives in a temporary folder; disposing kills the
/// browser's whole process tree and removes the folder, whatever happened.
/// </summary>
public sealed class HeadlessChromium : IDisposable
{
    public const string Program = "/usr/bin/chromium";
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(20);
    private readonly Process _browser;
    private readonly TempFolder _profile;
    private readonly ClientWebSocket _socket = new();
    private int _nextId;

    private HeadlessChromium(Process browser, TempFolder profile)
    {
        _browser = browser;
        _profile = profile;
    }

    public static void SkipIfMissing() => Skip.IfNot(File.Exists(Program), $"{Program} is not installed (apt-get install chromium); the page is not tested");

    /// <summary>Starts the browser on <paramref name="url"/> and connects to that page.</summary>
    public static HeadlessChromium Open(string url)
    {
        var profile = new TempFolder();
        var psi = new ProcessStartInfo(Program) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                     "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", $"--user-data-dir={profile.Path}",
                     "--window-size=1600,900", url })
            psi.ArgumentList.Add(a);
        var browser = Process.Start(psi) ?? throw new InvalidOperationException("chromium did not start");
        browser.ErrorDataReceived += (_, _) => { };
        browser.OutputDataReceived += (_, _) => { };
        browser.BeginErrorReadLine();
        browser.BeginOutputReadLine();
        var chromium = new HeadlessChromium(browser, profile);
        try
        {
            chromium.Connect(url);
            return chromium;
        }
        catch
        {
            chromium.Dispose();
            throw;
        }
    }

    private void Connect(string url)
    {
        // Chromium writes the port it chose to DevToolsActivePort in the profile.
        string portFile = Path.Combine(_profile.Path, "DevToolsActivePort");
        var clock = Stopwatch.StartNew();
        string? port = null;
        while (port is null)
        {
            if (_browser.HasExited) throw new InvalidOperationException($"chromium exited with {_browser.ExitCode}");
            if (clock.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException("chromium did not open its DevTools port in 30 s");
            try
            {
                port = File.Exists(portFile) ? File.ReadAllLines(portFile).FirstOrDefault(l => l.Length > 0) : null;
            }
            catch (IOException)
            {
            }
            if (port is null) Thread.Sleep(100);
        }
        using var http = new HttpClient { Timeout = CallTimeout };
        string? socketUrl = null;
        while (socketUrl is null)
        {
            var pages = JsonNode.Parse(http.GetStringAsync($"http://127.0.0.1:{port}/json/list").Result)!.AsArray();
            socketUrl = pages.FirstOrDefault(p => (string?)p!["type"] == "page" && ((string?)p["url"])?.StartsWith(url, StringComparison.Ordinal) == true)?["webSocketDebuggerUrl"]?.GetValue<string>();
            if (socketUrl is null)
            {
                if (clock.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException($"chromium shows no page at {url}");
                Thread.Sleep(200);
            }
        }
        _socket.ConnectAsync(new Uri(socketUrl), new CancellationTokenSource(CallTimeout).Token).Wait();
    }

    /// <summary>Runs a DevTools method and returns its result.</summary>
    public JsonNode Call(string method, object? parameters = null)
    {
        int id = ++_nextId;
        var request = JsonSerializer.SerializeToUtf8Bytes(new { id, method, @params = parameters ?? new { } });
        using var timeout = new CancellationTokenSource(CallTimeout);
        _socket.SendAsync(request, WebSocketMessageType.Text, true, timeout.Token).Wait();
        var buffer = new byte[1 << 16];
        while (true)
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult part;
            do
            {
                part = _socket.ReceiveAsync(buffer, timeout.Token).Result;
                message.Write(buffer, 0, part.Count);
            } while (!part.EndOfMessage);
            var reply = JsonNode.Parse(Encoding.UTF8.GetString(message.ToArray()))!;
            if ((int?)reply["id"] != id) continue; // an event, or another call's answer
            if (reply["error"] is { } error) throw new InvalidOperationException($"{method}: {error.ToJsonString()}");
            return reply["result"]!;
        }
    }

    /// <summary>The value of a script expression in the page (promises awaited), as JSON.</summary>
    public JsonNode? Evaluate(string expression)
    {
        var result = Call("Runtime.evaluate", new { expression, returnByValue = true, awaitPromise = true });
        if (result["exceptionDetails"] is { } exception) throw new InvalidOperationException($"{expression}: {exception.ToJsonString()}");
        return result["result"]?["value"];
    }

    /// <summary>Polls <paramref name="expression"/> until it is true; false after <paramref name="timeout"/>.</summary>
    public bool WaitFor(string expression, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (Evaluate(expression) is JsonValue v && v.TryGetValue(out bool yes) && yes) return true;
            Thread.Sleep(100);
        }
        return false;
    }

    /// <summary>A key pressed and released, as the keyboard sends it.</summary>
    public void PressKey(char key)
    {
        string text = key.ToString();
        int code = char.ToUpperInvariant(key);
        Call("Input.dispatchKeyEvent", new { type = "keyDown", key = text, text, code = $"Key{char.ToUpperInvariant(key)}", windowsVirtualKeyCode = code });
        Call("Input.dispatchKeyEvent", new { type = "keyUp", key = text, code = $"Key{char.ToUpperInvariant(key)}", windowsVirtualKeyCode = code });
    }

    /// <summary>The page as a PNG.</summary>
    public byte[] Screenshot() => Convert.FromBase64String(Call("Page.captureScreenshot", new { format = "png" })["data"]!.GetValue<string>());

    public void Dispose()
    {
        _socket.Dispose();
        try
        {
            if (!_browser.HasExited) _browser.Kill(entireProcessTree: true);
            _browser.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }
        _browser.Dispose();
        _profile.Dispose();
    }
}
