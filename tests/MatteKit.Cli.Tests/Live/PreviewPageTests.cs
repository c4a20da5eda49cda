using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using MatteKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace MatteKit.Tests.Live;

/// <summary>
/// <c>mattekit live --preview</c> in a real browser (Debian's Chromium, headless, on loopback): the page loads,
/// frames arrive and are drawn, the stats move, a key press resets the state, the background control changes
/// the session; a screenshot is saved in the test output (test-output/preview.png beside the test assembly).
/// </summary>
[Trait("Needs", "browser")]
[Trait("Needs", "realtime")]
[Collection(LiveCollection.Name)]
public sealed class PreviewPageTests
{
    private static readonly string Sample = Path.Combine(SharedData.RepoRoot, "samples", "astronaut_zoom.mp4");
    private readonly ITestOutputHelper _log;

    public PreviewPageTests(ITestOutputHelper log) => _log = log;

    [SkippableFact]
    public void ThePageShowsTheSessionLiveAndSteersIt()
    {
        MediaTools.SkipIfMissing();
        HeadlessChromium.SkipIfMissing();
        using var dir = new TempFolder();
        int port = LivePreviewProcess.FreePort();
        using var cli = CliRunner.Start(new Dictionary<string, string>(), "live", Sample, "--realtime", "--loop", "--preview", port.ToString(),
            "--output", dir.File("com.mkv"), "--stats", dir.File("stats.json"), "--threads", "2", "--duration", "90");
        var stderr = new StringBuilder();
        var announced = new ManualResetEventSlim();
        string page = "";
        cli.ErrorDataReceived += (_, e) =>
        {
            lock (stderr) stderr.AppendLine(e.Data);
            // The page's address carries the session's token: every request needs it.
            var printed = e.Data is null ? null : System.Text.RegularExpressions.Regex.Match(e.Data, $@"preview at (http://127\.0\.0\.1:{port}/\?token=[0-9a-f]+)");
            if (printed is { Success: true } && !announced.IsSet)
            {
                page = printed.Groups[1].Value;
                announced.Set();
            }
        };
        cli.BeginErrorReadLine();
        var stdout = cli.StandardOutput.ReadToEndAsync();
        try
        {
            Assert.True(announced.Wait(TimeSpan.FromSeconds(60)), $"no preview line: {stderr}");
            using (var browser = HeadlessChromium.Open(page))
            {
                // Frames arrive and are drawn on the canvases.
                Assert.True(browser.WaitFor("window.mattekitPreview && window.mattekitPreview.framesDrawn >= 5", TimeSpan.FromSeconds(60)),
                    $"frames drawn: {browser.Evaluate("window.mattekitPreview && window.mattekitPreview.framesDrawn")}");
                // The alpha drawn is a person's: neither all background nor all foreground.
                double alphaMean = AlphaMean(browser);
                _log.WriteLine($"alpha canvas mean {alphaMean:F1}");
                Assert.InRange(alphaMean, 5, 250);
                // The stats move.
                Assert.True(browser.WaitFor("window.mattekitPreview.stats && window.mattekitPreview.stats.frames_out > 0", TimeSpan.FromSeconds(10)));
                long before = browser.Evaluate("window.mattekitPreview.stats.frames_out")!.GetValue<long>();
                Assert.True(browser.WaitFor($"window.mattekitPreview.stats.frames_out > {before + 10}", TimeSpan.FromSeconds(15)), "the stats did not move");
                Assert.Contains("frames in", browser.Evaluate("document.getElementById('stats').textContent")!.GetValue<string>());
                // A key press in the page resets the state.
                browser.PressKey('r');
                Assert.True(browser.WaitFor("window.mattekitPreview.stats.resets >= 1", TimeSpan.FromSeconds(10)), "the key 'r' did not reset the state");
                // The background control.
                browser.Evaluate("document.getElementById('setBlur').click()");
                Assert.True(browser.WaitFor("window.mattekitPreview.stats.background.startsWith('blur:')", TimeSpan.FromSeconds(10)),
                    $"background: {browser.Evaluate("window.mattekitPreview.stats.background")}");
                long drawn = browser.Evaluate("window.mattekitPreview.framesDrawn")!.GetValue<long>();
                Assert.True(browser.WaitFor($"window.mattekitPreview.framesDrawn > {drawn + 3}", TimeSpan.FromSeconds(15)), "frames stopped after the change");
                // The edge controls: a choke of 64 pixels shrinks the person drawn in the alpha view; "no edge controls" undoes it.
                browser.Evaluate("document.getElementById('choke').value = 64; document.getElementById('setEdges').click()");
                Assert.True(browser.WaitFor("window.mattekitPreview.stats.alpha_choke === 64", TimeSpan.FromSeconds(10)),
                    $"choke: {browser.Evaluate("window.mattekitPreview.stats.alpha_choke")}");
                drawn = browser.Evaluate("window.mattekitPreview.framesDrawn")!.GetValue<long>();
                Assert.True(browser.WaitFor($"window.mattekitPreview.framesDrawn > {drawn + 3}", TimeSpan.FromSeconds(15)), "frames stopped after the edges changed");
                double chokedMean = AlphaMean(browser);
                _log.WriteLine($"alpha canvas mean with a 64-pixel choke {chokedMean:F1} (was {alphaMean:F1})");
                Assert.True(chokedMean < 0.7 * alphaMean, $"alpha mean {chokedMean:F1} after a 64-pixel choke, {alphaMean:F1} before");
                Assert.Contains("edges: choke 64 px", browser.Evaluate("document.getElementById('stats').textContent")!.GetValue<string>());
                browser.Evaluate("document.getElementById('noEdges').click()");
                Assert.True(browser.WaitFor("window.mattekitPreview.stats.alpha_choke === 0", TimeSpan.FromSeconds(10)), "no edge controls did not take");
                var png = browser.Screenshot();
                string output = Path.Combine(AppContext.BaseDirectory, "test-output");
                Directory.CreateDirectory(output);
                File.WriteAllBytes(Path.Combine(output, "preview.png"), png);
                _log.WriteLine($"screenshot: {Path.Combine(output, "preview.png")} ({png.Length} bytes)");
                Assert.True(png.Length > 10_000 && png[0] == 0x89 && png[1] == (byte)'P', $"screenshot of {png.Length} bytes");
            }
            // What a page from elsewhere cannot do: change the session with a form post (no JSON type).
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            string token = page[(page.IndexOf('?') + 1)..];
            var form = http.PostAsync($"http://127.0.0.1:{port}/control?{token}", new StringContent("{\"reset\":true}", Encoding.UTF8, "text/plain")).Result;
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, form.StatusCode);
            var bad = http.PostAsync($"http://127.0.0.1:{port}/control?{token}", new StringContent("{\"background\":\"blur:0\"}", Encoding.UTF8, "application/json")).Result;
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            var badChoke = http.PostAsync($"http://127.0.0.1:{port}/control?{token}", new StringContent("{\"alpha_choke\":65}", Encoding.UTF8, "application/json")).Result;
            Assert.Equal(HttpStatusCode.BadRequest, badChoke.StatusCode);
            _log.WriteLine($"choke 65: {badChoke.Content.ReadAsStringAsync().Result}");

            using (var term = Process.Start("kill", new[] { "-INT", cli.Id.ToString() })) term.WaitForExit();
            Assert.True(cli.WaitForExit(TimeSpan.FromSeconds(10)), "live did not stop");
            cli.WaitForExit();
            _log.WriteLine(stdout.Result + stderr);
            Assert.Equal(0, cli.ExitCode);
        }
        finally
        {
            if (!cli.HasExited) cli.Kill(entireProcessTree: true);
        }
        using var stats = JsonDocument.Parse(File.ReadAllText(dir.File("stats.json")));
        Assert.True(stats.RootElement.GetProperty("resets").GetInt64() >= 1);
    }

    // The mean of the alpha view's grey, 0..255.
    private static double AlphaMean(HeadlessChromium browser)
        => browser.Evaluate(@"(() => { const c = document.getElementById('alpha');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let s = 0;
            for (let i = 0; i < d.length; i += 4) s += d[i]; return s / (d.length / 4); })()")!.GetValue<double>();

    [Fact]
    public void PreviewAddressIsLoopbackUnlessGivenAndChecked()
    {
        var r = CliRunner.Run("live", "udp://127.0.0.1:9", "--preview", "70000");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--preview takes PORT or ADDR:PORT", r.StdErr);
        r = CliRunner.Run("live", "udp://127.0.0.1:9", "--preview", "camera:8080");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("is not an IP address", r.StdErr);
    }
}
