using System.Net;
using System.Net.Sockets;
using System.Text;
using MatteKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace MatteKit.Tests.Live;

/// <summary>
/// The limits of <c>mattekit live --preview</c>'s page server (Kestrel's): a client that sends its request's head
/// slowly is cut off while the page goes on answering, and the page on every IPv6 interface answers IPv4 too.
/// Each test prints what happens now. Plain HTTP on loopback only.
/// </summary>
[Trait("Needs", "realtime")]
[Collection(LiveCollection.Name)]
public sealed class PreviewServerLimitsTests
{
    // The server's head timeout is 10 s; its clock ticks once a second. HttpListener kept such a connection open past 40 s.
    private static readonly TimeSpan HeadBound = TimeSpan.FromSeconds(30);

    private readonly ITestOutputHelper _log;

    public PreviewServerLimitsTests(ITestOutputHelper log) => _log = log;

    [SkippableFact]
    public void AHeadSentSlowlyIsCutOffWhileThePageAnswers()
    {
        MediaTools.SkipIfMissing();
        int port = LivePreviewProcess.FreePort();
        using var live = LivePreviewProcess.Start(port.ToString(), null, "--duration", "120");
        live.WaitForStats(s => s.GetProperty("frames_out").GetInt64() > 0, TimeSpan.FromSeconds(60));
        var stalled = new List<Socket>();
        try
        {
            // Half a request line, then nothing: ten such connections.
            for (int i = 0; i < 10; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                stalled.Add(socket);
                socket.Connect(IPAddress.Loopback, port);
                socket.Send(Encoding.ASCII.GetBytes($"GET /stats?token={live.Token[..8]}"));
            }
            Thread.Sleep(500);
            var answers = new[]
            {
                live.Http.GetAsync(live.PageUrl).Result.StatusCode,
                live.Http.GetAsync($"{live.Origin}/frame?token={live.Token}").Result.StatusCode,
                live.Http.GetAsync($"{live.Origin}/stats?token={live.Token}").Result.StatusCode,
                live.PostJson($"/control?token={live.Token}", "{\"reset\":true}").StatusCode,
            };
            _log.WriteLine($"page, frame, stats, control while 10 heads stall: {string.Join(", ", answers.Select(a => (int)a))}");
            Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a));
            foreach (var socket in stalled)
            {
                var closed = LiveHostileInputTests.ClosedWithin(socket, HeadBound);
                _log.WriteLine($"stalled head ended by the server: {closed ?? $"still open after {HeadBound.TotalSeconds} s"}");
                Assert.NotNull(closed);
            }
            Assert.Equal(HttpStatusCode.OK, live.Http.GetAsync($"{live.Origin}/stats?token={live.Token}").Result.StatusCode);
        }
        finally
        {
            foreach (var socket in stalled) socket.Dispose();
        }
        Assert.Equal(0, live.Interrupt().ExitCode);
    }

    [SkippableFact]
    public void EveryIpv6InterfaceIsAdvertisedAsLoopbackAndAnswersBothFamilies()
    {
        MediaTools.SkipIfMissing();
        int port = LiveHostileInputTests.FreeIpv6LoopbackPort();
        Skip.If(port == 0, "this machine has no IPv6 loopback");
        using var live = LivePreviewProcess.Start($"[::]:{port}", null, "--duration", "60");
        _log.WriteLine(live.StdErr.Trim());
        Assert.Equal($"http://127.0.0.1:{port}/?token={live.Token}", live.PageUrl);
        live.WaitForStats(s => s.GetProperty("frames_out").GetInt64() > 0, TimeSpan.FromSeconds(60));
        var answers = new[]
        {
            live.Http.GetAsync(live.PageUrl).Result.StatusCode,
            live.Http.GetAsync($"http://[::1]:{port}/stats?token={live.Token}").Result.StatusCode,
            live.Http.GetAsync($"http://[::1]:{port}/stats").Result.StatusCode,
        };
        _log.WriteLine($"over [::]: page on 127.0.0.1, stats on [::1], stats without the token -> {string.Join(", ", answers.Select(a => (int)a))}");
        Assert.Equal(new[] { HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Forbidden }, answers);
        Assert.Equal(0, live.Interrupt().ExitCode);
    }
}
