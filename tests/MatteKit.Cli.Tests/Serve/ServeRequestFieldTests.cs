using System.Net.Http;
using System.Text;
using System.Text.Json;
using MatteKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace MatteKit.Tests.Serve;

/// <summary>
/// A hostile pass over serve's request fields: a downsample ratio that shrinks the input to nothing was taken (201)
/// and failed as a job; a number sent as a JSON string ("16") was taken; what the Host check takes of a port.
/// </summary>
public sealed class ServeRequestFieldTests
{
    private readonly ITestOutputHelper _log;

    public ServeRequestFieldTests(ITestOutputHelper log) => _log = log;

    private static string Error(string body) => JsonDocument.Parse(body).RootElement.GetProperty("error").GetString()!;

    [SkippableFact]
    public void ARatioThatShrinksTheInputToNothingIsRefusedAtUploadWithConvertsLine()
    {
        MediaTools.SkipIfMissing();
        using var serve = ServeProcess.Start();
        foreach (var (options, flags) in new[]
                 {
                     ("{\"downsample_ratio\": 1e-300, \"outputs\": {\"composition\": \"mp4\"}}", new[] { "--downsample-ratio", "1e-300" }),
                     // Fits the 512x512 input, not the frames --input-resize makes of it.
                     ("{\"downsample_ratio\": 0.01, \"input_resize\": \"64x64\", \"outputs\": {\"composition\": \"mp4\"}}",
                         new[] { "--downsample-ratio", "0.01", "--input-resize", "64x64" }),
                 })
        {
            var (status, body) = serve.Submit(options, ServeProcess.Sample);
            _log.WriteLine($"{options} -> {status} {body}");
            Assert.Equal(400, status);
            var cli = CliRunner.Run(new[] { "convert", ServeProcess.Sample, "--output-composition", serve.Scratch.File("x.mp4"), "--quiet" }.Concat(flags).ToArray());
            _log.WriteLine($"convert: exit {cli.ExitCode}: {cli.StdErr.Trim()}");
            Assert.NotEqual(0, cli.ExitCode);
            Assert.Equal(cli.StdErr.Trim(), $"mattekit: {Error(body)}");
            Assert.Contains("frame to nothing", body);
        }
        Assert.Empty(serve.JobFolders());
    }

    [SkippableFact]
    public void ANumberSentAsAStringOrAWordAsANumberIsRefusedNamingTheField()
    {
        MediaTools.SkipIfMissing();
        using var serve = ServeProcess.Start();
        foreach (var (options, expected) in new[]
                 {
                     ("{\"bit_depth\": \"16\", \"outputs\": {\"composition\": \"mov\"}}", "bit_depth must be a JSON number, got the string \"16\""),
                     ("{\"threads\": \"1\", \"outputs\": {\"composition\": \"mp4\"}}", "threads must be a JSON number, got the string \"1\""),
                     ("{\"downsample_ratio\": \"0.5\", \"outputs\": {\"composition\": \"mp4\"}}", "downsample_ratio must be a number or \"auto\", got the string \"0.5\""),
                     ("{\"precision\": 8, \"outputs\": {\"composition\": \"mp4\"}}", "precision must be a string, got 8"),
                     ("{\"crf\": true, \"outputs\": {\"composition\": \"mp4\"}}", "crf must be a JSON number, got true"),
                     // A whole number with a fraction or an exponent: named as the field, not as convert's --crf.
                     ("{\"crf\": 18.0, \"outputs\": {\"composition\": \"mp4\"}}", "crf must be a whole JSON number, got 18.0"),
                     ("{\"bit_depth\": 1.6e1, \"outputs\": {\"composition\": \"mov\"}}", "bit_depth must be a whole JSON number, got 1.6e1"),
                     ("{\"subject\": 1.5, \"outputs\": {\"composition\": \"mp4\"}}", "subject must be a string or a person's index (a whole number), got 1.5"),
                     ("{\"no_audio\": \"true\", \"outputs\": {\"composition\": \"mp4\"}}", "no_audio must be true or false, got the string \"true\""),
                 })
        {
            var (status, body) = serve.Submit(options, ServeProcess.Sample);
            _log.WriteLine($"{options} -> {status} {body}");
            Assert.Equal(400, status);
            Assert.Equal(expected, Error(body));
        }
        Assert.Empty(serve.JobFolders());
        // A whole number out of every range is not called a fraction: convert's own line about its value.
        var (huge, hugeBody) = serve.Submit("{\"crf\": 99999999999999999999, \"outputs\": {\"composition\": \"mp4\"}}", ServeProcess.Sample);
        _log.WriteLine($"crf 99999999999999999999 -> {huge} {hugeBody}");
        Assert.Equal(400, huge);
        Assert.DoesNotContain("whole JSON number", Error(hugeBody));
        Assert.StartsWith("--crf ", Error(hugeBody));
        Assert.Contains("99999999999999999999", Error(hugeBody));

        // Numbers as numbers, "auto" and words in any case (as convert takes --precision INT8) are taken.
        var (taken, answer) = serve.Submit("{\"precision\": \"INT8\", \"downsample_ratio\": 0.5, \"bit_depth\": 8, \"duration\": 0.2, \"threads\": 1, " +
                                           "\"outputs\": {\"alpha\": \"mp4\"}}", ServeProcess.Sample);
        _log.WriteLine($"typed as the JSON says: {taken} {answer}");
        Assert.Equal(201, taken);
        var (auto, autoAnswer) = serve.Submit("{\"downsample_ratio\": \"AUTO\", \"duration\": 0.2, \"threads\": 1, \"outputs\": {\"alpha\": \"mp4\"}}", ServeProcess.Sample);
        _log.WriteLine($"AUTO: {auto} {autoAnswer}");
        Assert.Equal(201, auto);
    }

    /// <summary>
    /// The Host check names the server (DNS rebinding: a name of another site's is refused), not its port: a browser
    /// sends the port it connected to, which is another only through a forward (ssh -L 9000:localhost:8080), and that
    /// must work. What a page of another loopback port may do is the Origin check's: it is refused.
    /// </summary>
    [SkippableFact]
    public void ALoopbackHostOfAnotherPortIsAnsweredButAPageOfAnotherPortChangesNothing()
    {
        MediaTools.SkipIfMissing();
        using var serve = ServeProcess.Start();
        int port = new Uri(serve.Origin).Port, other = port == 9000 ? 9001 : 9000;

        using (var tunnelled = new HttpRequestMessage(HttpMethod.Get, $"{serve.Origin}/api/jobs"))
        {
            tunnelled.Headers.Host = $"localhost:{other}";
            var (status, body) = serve.Send(tunnelled);
            _log.WriteLine($"GET, Host localhost:{other}: {status} {body}");
            Assert.Equal(200, status);
        }
        // Through a forward, the page's own origin and the Host agree: past the gate (415: a form is not a job).
        using (var form = new HttpRequestMessage(HttpMethod.Post, $"{serve.Origin}/api/jobs")
               { Content = new StringContent("options=x", Encoding.UTF8, "application/x-www-form-urlencoded") })
        {
            form.Headers.Host = $"localhost:{other}";
            form.Headers.Add("Origin", $"http://localhost:{other}");
            var (status, body) = serve.Send(form);
            _log.WriteLine($"POST through a forward: {status} {body}");
            Assert.Equal(415, status);
        }
        foreach (var host in new[] { $"127.0.0.1:{port}", $"localhost:{port}" })
        {
            using var forged = new HttpRequestMessage(HttpMethod.Post, $"{serve.Origin}/api/jobs")
                { Content = new StringContent("options=x", Encoding.UTF8, "application/x-www-form-urlencoded") };
            forged.Headers.Host = host;
            forged.Headers.Add("Origin", $"http://localhost:{other}");
            var (status, body) = serve.Send(forged);
            _log.WriteLine($"POST, Host {host}, from a page at localhost:{other}: {status} {body}");
            Assert.Equal(403, status);
        }
        Assert.Empty(serve.JobFolders());
    }
}
