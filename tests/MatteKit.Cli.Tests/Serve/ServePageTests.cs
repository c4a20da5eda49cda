using MatteKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace MatteKit.Tests.Serve;

/// <summary>
/// <c>mattekit serve</c>'s page in a real browser (Debian's Chromium, headless, on loopback): the sample chosen in the
/// file field, its first frame drawn, the person clicked (the subject), Start, progress to done, the composition
/// playing; a screenshot is saved in the test output (test-output/serve.png beside the test assembly).
/// </summary>
[Trait("Needs", "browser")]
public sealed class ServePageTests
{
    private static readonly TimeSpan JobBound = TimeSpan.FromSeconds(120);
    private readonly ITestOutputHelper _log;

    public ServePageTests(ITestOutputHelper log) => _log = log;

    [SkippableFact]
    public void ThePageUploadsTheSampleKeepsTheClickedPersonAndPlaysTheResult()
    {
        MediaTools.SkipIfMissing();
        HeadlessChromium.SkipIfMissing();
        using var serve = ServeProcess.Start();
        using var browser = HeadlessChromium.Open(serve.Origin + "/");
        Assert.True(browser.WaitFor("document.readyState === 'complete' && !!window.mattekitServe", TimeSpan.FromSeconds(20)), "the page did not load");

        // The sample chosen in the file field, as a person picking it does.
        var document = browser.Call("DOM.getDocument");
        int root = document["root"]!["nodeId"]!.GetValue<int>();
        int field = browser.Call("DOM.querySelector", new { nodeId = root, selector = "#file" })["nodeId"]!.GetValue<int>();
        browser.Call("DOM.setFileInputFiles", new { nodeId = field, files = new[] { ServeProcess.Sample } });
        Assert.True(browser.WaitFor("window.mattekitServe.width > 0", TimeSpan.FromSeconds(30)),
            $"no first frame drawn: {browser.Evaluate("document.getElementById('frameNote').textContent")}");
        Assert.Equal(512, browser.Evaluate("window.mattekitServe.width")!.GetValue<int>());

        // A click on the astronaut (the middle of the frame), with the mouse.
        var box = browser.Evaluate("(() => { const r = document.getElementById('frame').getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()")!.AsArray();
        double x = box[0]!.GetValue<double>() + box[2]!.GetValue<double>() * 0.5, y = box[1]!.GetValue<double>() + box[3]!.GetValue<double>() * 0.55;
        foreach (var type in new[] { "mousePressed", "mouseReleased" })
            browser.Call("Input.dispatchMouseEvent", new { type, x, y, button = "left", clickCount = 1 });
        string subject = browser.Evaluate("document.getElementById('subjectX').value + ',' + document.getElementById('subjectY').value")!.GetValue<string>();
        _log.WriteLine($"subject clicked: {subject}");
        Assert.True(browser.Evaluate("document.querySelector('input[name=who][value=point]').checked")!.GetValue<bool>());

        browser.Evaluate("document.getElementById('start').click()");
        bool finished = browser.WaitFor("['done', 'failed', 'cancelled'].includes(window.mattekitServe.status)", JobBound);
        string status = browser.Evaluate("document.getElementById('status').textContent + ' | ' + document.getElementById('error').textContent")!.GetValue<string>();
        _log.WriteLine($"page says: {status}; {browser.Evaluate("window.mattekitServe.events")} events");
        Assert.True(finished, $"the job did not finish: {status}");
        Assert.Equal("done", browser.Evaluate("window.mattekitServe.status")!.GetValue<string>());

        // The composition plays in the page.
        Assert.True(browser.WaitFor("(() => { const v = document.getElementById('result-composition'); return !!v && v.readyState >= 2; })()", TimeSpan.FromSeconds(20)),
            "the composition did not load in the page");
        browser.Evaluate("(() => { const v = document.getElementById('result-composition'); v.muted = true; return v.play().then(() => true); })()");
        Assert.True(browser.WaitFor("document.getElementById('result-composition').currentTime > 0.2", TimeSpan.FromSeconds(20)), "the composition did not play");
        var size = browser.Evaluate("(() => { const v = document.getElementById('result-composition'); return v.videoWidth + 'x' + v.videoHeight + ', ' + v.duration.toFixed(2) + ' s'; })()")!.GetValue<string>();
        _log.WriteLine($"composition in the page: {size}");
        Assert.StartsWith("512x512", size);

        // The whole page in the picture: the frame with its mark, the choices, the progress and the result.
        browser.Evaluate("document.getElementById('result-composition').pause()");
        var png = Convert.FromBase64String(browser.Call("Page.captureScreenshot", new { format = "png", captureBeyondViewport = true,
            clip = new { x = 0, y = 0, width = 1600, height = browser.Evaluate("document.documentElement.scrollHeight")!.GetValue<double>(), scale = 1 } })["data"]!.GetValue<string>());
        string output = Path.Combine(AppContext.BaseDirectory, "test-output");
        Directory.CreateDirectory(output);
        File.WriteAllBytes(Path.Combine(output, "serve.png"), png);
        _log.WriteLine($"screenshot: {Path.Combine(output, "serve.png")} ({png.Length} bytes)");
        Assert.True(png.Length > 10_000 && png[0] == 0x89 && png[1] == (byte)'P', $"screenshot of {png.Length} bytes");
    }
}
