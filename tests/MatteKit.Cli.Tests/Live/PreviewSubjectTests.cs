using MatteKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace MatteKit.Tests.Live;

/// <summary>
/// The preview page chooses the person: two people side by side, both matted; a click on the right one in the page
/// keeps only them (the other's region goes to 0 in the alpha the page draws), and "everyone" brings both back.
/// Debian's Chromium, headless, on loopback.
/// </summary>
[Trait("Needs", "browser")]
[Trait("Needs", "realtime")]
[Collection(LiveCollection.Name)]
public sealed class PreviewSubjectTests
{
    private readonly ITestOutputHelper _log;

    public PreviewSubjectTests(ITestOutputHelper log) => _log = log;

    [SkippableFact]
    public void AClickOnAPersonKeepsOnlyThemAndEveryoneBringsBothBack()
    {
        MediaTools.SkipIfMissing();
        HeadlessChromium.SkipIfMissing();
        using var dir = new TempFolder();
        var (pngs, frames) = TwoPeopleClip.Build(dir, 8);
        TwoPeopleClip.Video(dir, pngs);
        // The middle of each person's box (a third of its width, half its height): mostly the person, whatever the pose.
        static (int L, int T, int R, int B) Middle((int L, int T, int R, int B) b)
            => (b.L + (b.R - b.L) / 3, b.T + (b.B - b.T) / 4, b.R - (b.R - b.L) / 3, b.B - (b.B - b.T) / 4);
        var (left, right) = (Middle(TwoPeopleClip.Box(frames[0].LeftAlpha)), Middle(TwoPeopleClip.Box(frames[0].RightAlpha)));
        using var live = LivePreviewProcess.StartOn(dir.File("two.mp4"), LivePreviewProcess.FreePort().ToString(), null,
            "--downsample-ratio", "0.5", "--max-latency-ms", "5000", "--duration", "120");
        using var browser = HeadlessChromium.Open(live.PageUrl);
        Assert.True(browser.WaitFor("window.mattekitPreview && window.mattekitPreview.framesDrawn >= 2", TimeSpan.FromSeconds(60)), live.StdErr);
        // The mean alpha the page drew inside a box of the frame (0..255); the page draws the frame smaller (480 px wide).
        browser.Evaluate(@"window.boxMean = (l, t, r, b) => { const c = document.getElementById('alpha'), k = c.width / " + TwoPeopleClip.Width + @";
            const d = c.getContext('2d').getImageData(Math.floor(l * k), Math.floor(t * k), Math.ceil((r - l) * k), Math.ceil((b - t) * k)).data; let s = 0;
            for (let i = 0; i < d.length; i += 4) s += d[i]; return s / (d.length / 4); }");
        string Left() => $"boxMean({left.L}, {left.T}, {left.R}, {left.B})";
        string Right() => $"boxMean({right.L}, {right.T}, {right.R}, {right.B})";
        Assert.True(browser.WaitFor($"{Left()} > 40 && {Right()} > 40", TimeSpan.FromSeconds(30)),
            $"both people matted at first: left {browser.Evaluate(Left())}, right {browser.Evaluate(Right())}");

        // Requests the page does not make: a point off the frame, a subject that is no text; "everyone" as the stats say it.
        foreach (var (body, status, expected) in new[]
                 {
                     ("{\"subject\": \"1e30,1e30\"}", 400, "does not fit the frames (640x360)"),
                     ("{\"subject\": 12345}", 400, "subject must be a string"),
                     ("{\"subject\": \"everyone\"}", 200, ""),
                 })
        {
            var answer = live.PostJson($"/control?token={live.Token}", body);
            string text = answer.Content.ReadAsStringAsync().Result;
            _log.WriteLine($"{body}: {(int)answer.StatusCode} {text}");
            Assert.Equal(status, (int)answer.StatusCode);
            Assert.Contains(expected, text);
        }

        // A click on the right person, on the composition as drawn (smaller than the frame: the page scales the point back).
        int x = (right.L + right.R) / 2, y = (right.T + right.B) / 2;
        browser.Evaluate($@"(() => {{ const c = document.getElementById('composition'); const box = c.getBoundingClientRect();
            c.dispatchEvent(new MouseEvent('click', {{ clientX: box.left + ({x} + 0.5) * box.width / {TwoPeopleClip.Width},
                                                       clientY: box.top + ({y} + 0.5) * box.height / {TwoPeopleClip.Height}, bubbles: true }})); }})()");
        Assert.True(browser.WaitFor($"window.mattekitPreview.stats && window.mattekitPreview.stats.subject === '{x},{y}'", TimeSpan.FromSeconds(15)),
            $"subject: {browser.Evaluate("window.mattekitPreview.stats && window.mattekitPreview.stats.subject")}; {browser.Evaluate("document.getElementById('message').textContent")}");
        Assert.True(browser.WaitFor($"{Left()} < 3 && {Right()} > 40", TimeSpan.FromSeconds(30)),
            $"only the right person: left {browser.Evaluate(Left())}, right {browser.Evaluate(Right())}");
        _log.WriteLine($"after the click on {x},{y}: left {browser.Evaluate(Left())}, right {browser.Evaluate(Right())}");

        // Everyone again.
        browser.Evaluate("document.getElementById('everyone').click()");
        Assert.True(browser.WaitFor($"window.mattekitPreview.stats.subject === 'everyone' && {Left()} > 40", TimeSpan.FromSeconds(30)),
            $"both again: left {browser.Evaluate(Left())}, subject {browser.Evaluate("window.mattekitPreview.stats.subject")}");
        _log.WriteLine($"after 'everyone': left {browser.Evaluate(Left())}, right {browser.Evaluate(Right())}");
    }
}
