using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using MatteKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace MatteKit.Tests.Serve;

/// <summary>
/// <c>mattekit serve</c> run as a user runs it, on 127.0.0.1 at a free port, each test with its own server and data
/// folder, always stopped: a job end to end (every frame, the input's rate and audio, ranges, the preview), a
/// cancelled job and a server stopped by Ctrl-C leaving no files, a full queue (429), an oversize upload (413, nothing
/// on disk), a bad option (400, the CLI's own line), a foreign Host or Origin refused, the token's rules.
/// </summary>
public sealed class ServeTests
{
    private const string Composition = "{\"background\": \"white\", \"outputs\": {\"composition\": \"mp4\"}, \"threads\": 1}";
    private static readonly TimeSpan JobBound = TimeSpan.FromSeconds(120);
    private readonly ITestOutputHelper _log;

    public ServeTests(ITestOutputHelper log) => _log = log;

    private static string Id(string body) => JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;

    /// <summary>Twenty times the sample (600 frames, 24 s): long enough to be caught running.</summary>
    private static string LongClip(ServeProcess serve)
    {
        string path = serve.Scratch.File("long.mp4");
        MediaTools.Ffmpeg("-stream_loop", "19", "-i", ServeProcess.Sample, "-c", "copy", path);
        return path;
    }

    [SkippableFact]
    public void AJobRunsEndToEndWithEveryFrameTheRateAndTheAudio()
    {
        MediaTools.SkipIfMissing();
        using var serve = ServeProcess.Start();
        var (status, body) = serve.Submit(Composition, ServeProcess.Sample);
        _log.WriteLine($"POST /api/jobs: {status} {body}");
        Assert.Equal(201, status);
        string id = Id(body);
        Assert.Equal("queued", JsonDocument.Parse(body).RootElement.GetProperty("status").GetString());

        // The event stream, read to its end: the job at each change, the last one done.
        var events = new List<JsonElement>();
        using (var cancel = new CancellationTokenSource(JobBound))
        using (var stream = serve.Http.GetStreamAsync($"{serve.Origin}/api/jobs/{id}/events", cancel.Token).Result)
        using (var reader = new StreamReader(stream))
        {
            string? line;
            while ((line = reader.ReadLineAsync(cancel.Token).AsTask().Result) is not null)
                if (line.StartsWith("data: ", StringComparison.Ordinal)) events.Add(JsonDocument.Parse(line[6..]).RootElement.Clone());
        }
        _log.WriteLine($"{events.Count} events; states: {string.Join(", ", events.Select(e => e.GetProperty("status").GetString()).Distinct())}");
        var done = events[^1];
        _log.WriteLine($"last: {done}");
        Assert.Equal("done", done.GetProperty("status").GetString());
        Assert.Contains(events, e => e.GetProperty("status").GetString() == "running");
        Assert.Equal(30, done.GetProperty("progress").GetProperty("frames_done").GetInt32());

        string url = done.GetProperty("outputs").GetProperty("composition").GetString()!;
        string file = serve.Scratch.File("composition.mp4");
        File.WriteAllBytes(file, serve.Http.GetByteArrayAsync(serve.Origin + url).Result);
        var video = MediaTools.Video(file);
        var (videoSeconds, audioSeconds, frames) = MediaTools.Durations(file);
        _log.WriteLine($"composition: {video.Width}x{video.Height} at {video.FrameRate}, {frames} frames, video {videoSeconds:F3} s, audio {audioSeconds:F3} s");
        Assert.Equal(30, frames);
        Assert.Equal("25/1", video.FrameRate);
        Assert.Equal((512, 512), (video.Width, video.Height));
        Assert.True(audioSeconds > 0.5, "the input's audio is in the composition");

        // A player's range request.
        using (var range = new HttpRequestMessage(HttpMethod.Get, serve.Origin + url))
        {
            range.Headers.Range = new RangeHeaderValue(100, 199);
            using var answer = serve.Http.SendAsync(range).Result;
            Assert.Equal(HttpStatusCode.PartialContent, answer.StatusCode);
            Assert.Equal(File.ReadAllBytes(file).AsSpan(100, 100).ToArray(), answer.Content.ReadAsByteArrayAsync().Result);
        }
        // The first frame, for choosing the subject: a PNG of the input's size.
        var png = serve.Http.GetByteArrayAsync($"{serve.Origin}/api/jobs/{id}/preview").Result;
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        Assert.Equal(512, (png[16] << 24) | (png[17] << 16) | (png[18] << 8) | png[19]);

        var (listed, list) = serve.Get("/api/jobs");
        Assert.Equal(200, listed);
        Assert.Equal(id, JsonDocument.Parse(list).RootElement.EnumerateArray().Single().GetProperty("id").GetString());
        Assert.Equal(404, serve.Get($"/api/jobs/{id}/outputs/..%2Finput.mp4").Status);

        Assert.Equal(HttpStatusCode.NoContent, serve.Http.DeleteAsync($"{serve.Origin}/api/jobs/{id}").Result.StatusCode);
        Assert.Empty(serve.JobFolders());
        Assert.Equal(404, serve.Get($"/api/jobs/{id}").Status);
    }

    [SkippableFact]
    public void ACancelledJobLeavesNoFiles()
    {
        MediaTools.SkipIfMissing();
        using var serve = ServeProcess.Start();
        var (status, body) = serve.Submit(Composition, LongClip(serve));
        Assert.Equal(201, status);
        string id = Id(body);
        serve.WaitForJob(id, j => j.GetProperty("progress").GetProperty("frames_done").GetInt32() > 0, JobBound);
        Assert.Single(serve.JobFolders());
        Assert.Equal(HttpStatusCode.NoContent, serve.Http.DeleteAsync($"{serve.Origin}/api/jobs/{id}").Result.StatusCode);
        var cancelled = serve.WaitForJob(id, j => j.GetProperty("status").GetString() != "running", TimeSpan.FromSeconds(30));
        _log.WriteLine($"after DELETE: {cancelled}");
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (serve.JobFolders().Count > 0 && clock.Elapsed < TimeSpan.FromSeconds(10)) Thread.Sleep(50);
        _log.WriteLine($"data folder after the cancel: {string.Join(", ", Directory.EnumerateFileSystemEntries(serve.Data).Select(Path.GetFileName))}");
        Assert.Empty(serve.JobFolders());
        Assert.DoesNotContain(Directory.EnumerateFiles(serve.Data, "*", SearchOption.AllDirectories), f => !Path.GetFileName(f).StartsWith(".mattekit", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void AFullQueueAnswers429()
    {
        MediaTools.SkipIfMissing();
        using var serve = ServeProcess.Start("--jobs", "1", "--max-queued", "1");
        string clip = LongClip(serve);
        var first = serve.Submit(Composition, clip);
        var second = serve.Submit(Composition, clip);
        var third = serve.Submit(Composition, clip);
        _log.WriteLine($"three jobs: {first.Status}, {second.Status}, {third.Status} {third.Body}");
        Assert.Equal(201, first.Status);
        Assert.Equal(201, second.Status);
        Assert.Equal(429, third.Status);
        Assert.Contains("queue is full", third.Body);
        Assert.Equal(2, serve.JobFolders().Count);
        // A place freed is taken again.
        Assert.Equal(HttpStatusCode.NoContent, serve.Http.DeleteAsync($"{serve.Origin}/api/jobs/{Id(second.Body)}").Result.StatusCode);
        Assert.Equal(201, serve.Submit(Composition, clip).Status);
    }

    [SkippableFact]
    public void AnOversizeUploadAnswers413AndLeavesNothing()
    {
        MediaTools.SkipIfMissing();
        using var serve = ServeProcess.Start("--max-upload-mb", "1");
        var big = new byte[3 << 20];
        new Random(7).NextBytes(big);
        // Its length said first (as curl and browsers do): refused before a byte of it is read.
        using (var request = new HttpRequestMessage(HttpMethod.Post, $"{serve.Origin}/api/jobs") { Content = ServeProcess.JobContent(Composition, big, "big.mp4") })
        {
            request.Headers.ExpectContinue = true;
            using var answer = serve.Http.SendAsync(request).Result;
            string body = answer.Content.ReadAsStringAsync().Result;
            _log.WriteLine($"3 MB with its length: {(int)answer.StatusCode} {body}");
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, answer.StatusCode);
        }
        // Sent chunked, its length unknown: cut off once past the limit.
        var chunked = new MultipartFormDataContent
        {
            { new StringContent(Composition, Encoding.UTF8, "application/json"), "options" },
            { new StreamContent(new MemoryStream(big)), "input", "big.mp4" },
        };
        using (var request = new HttpRequestMessage(HttpMethod.Post, $"{serve.Origin}/api/jobs") { Content = chunked })
        {
            request.Headers.TransferEncodingChunked = true;
            try
            {
                using var answer = serve.Http.SendAsync(request).Result;
                _log.WriteLine($"3 MB chunked: {(int)answer.StatusCode} {answer.Content.ReadAsStringAsync().Result}");
                Assert.Equal(HttpStatusCode.RequestEntityTooLarge, answer.StatusCode);
            }
            catch (AggregateException e) when (e.InnerException is HttpRequestException)
            {
                // The server may close the connection while the client still sends: refused all the same.
                _log.WriteLine($"3 MB chunked: the connection was closed ({e.InnerException.Message})");
            }
        }
        Assert.Empty(serve.JobFolders());
        Assert.Equal("[]", serve.Get("/api/jobs").Body);
        // A job within the limit is still taken.
        Assert.Equal(201, serve.Submit(Composition, ServeProcess.Sample).Status);
    }

    [SkippableFact]
    public void ABadOptionAnswers400WithTheCliLine()
    {
        MediaTools.SkipIfMissing();
        using var serve = ServeProcess.Start();
        var (status, body) = serve.Submit("{\"downsample_ratio\": 2, \"outputs\": {\"composition\": \"mp4\"}}", ServeProcess.Sample);
        string error = JsonDocument.Parse(body).RootElement.GetProperty("error").GetString()!;
        var cli = CliRunner.Run("convert", ServeProcess.Sample, "--output-composition", serve.Scratch.File("x.mp4"), "--downsample-ratio", "2");
        _log.WriteLine($"serve: {status} {error}");
        _log.WriteLine($"convert: exit {cli.ExitCode}: {cli.StdErr.Trim()}");
        Assert.Equal(400, status);
        Assert.Equal(2, cli.ExitCode);
        Assert.Equal($"mattekit: {error}", cli.StdErr.Trim());
        Assert.DoesNotContain('\n', error);
        foreach (var (options, expected) in new[]
                 {
                     ("{\"weights\": \"/etc/passwd\", \"outputs\": {\"composition\": \"mp4\"}}", "unknown option 'weights'"),
                     ("{\"background\": \"/etc/passwd\", \"outputs\": {\"composition\": \"mp4\"}}", "background must be"),
                     ("{\"subject\": \"--weights=/etc/passwd\", \"outputs\": {\"composition\": \"mp4\"}}", "--subject"),
                     ("{\"outputs\": {\"composition\": \"../../x.mp4\"}}", "outputs: composition must be one of"),
                     ("{\"background\": \"white\"}", "no output requested"),
                     ("not json", "options: not JSON"),
                     ("{\"precision\": \"int4\", \"outputs\": {\"composition\": \"mp4\"}}", "--precision must be fp32 or int8, got 'int4'"),
                     // What only the uploaded input tells, told at upload rather than by a failing job.
                     ("{\"outputs\": {\"alpha\": \"png\"}}", "outputs: alpha as png needs an image input"),
                     ("{\"subject\": \"5000,10\", \"outputs\": {\"composition\": \"mp4\"}}", "subject 5000,10: outside the input's frame (512x512)"),
                 })
        {
            var (s, b) = serve.Submit(options, ServeProcess.Sample);
            _log.WriteLine($"{options} -> {s} {b}");
            Assert.Equal(400, s);
            Assert.Contains(expected, b);
        }
        Assert.Empty(serve.JobFolders());
    }

    [SkippableFact]
    public void AnOutputItsFormatCannotHoldAnswers400WithConvertsLine()
    {
        MediaTools.SkipIfMissing();
        using var serve = ServeProcess.Start();
        foreach (var (options, output, flags) in new[]
                 {
                     ("{\"bit_depth\": 16, \"outputs\": {\"composition\": \"mp4\"}}", "composition.mp4", new[] { "--bit-depth", "16" }),
                     ("{\"bit_depth\": 16, \"outputs\": {\"alpha\": \"gif\"}}", "alpha.gif", new[] { "--bit-depth", "16" }),
                     ("{\"background\": \"transparent\", \"outputs\": {\"composition\": \"mp4\"}}", "composition.mp4", new[] { "--background", "transparent" }),
                 })
        {
            var (status, body) = serve.Submit(options, ServeProcess.Sample);
            _log.WriteLine($"{options} -> {status} {body}");
            Assert.Equal(400, status);
            string error = JsonDocument.Parse(body).RootElement.GetProperty("error").GetString()!;
            // The same output asked of convert: its line, with the output's path where the job names the file in its folder.
            string path = serve.Scratch.File(output);
            var cli = CliRunner.Run(new[] { "convert", ServeProcess.Sample, $"--output-{output[..output.IndexOf('.')]}", path }.Concat(flags).ToArray());
            _log.WriteLine($"convert: exit {cli.ExitCode}: {cli.StdErr.Trim()}");
            Assert.NotEqual(0, cli.ExitCode);
            Assert.Equal(cli.StdErr.Trim().Replace(path, output), $"mattekit: {error}");
            Assert.DoesNotContain('\n', error);
            Assert.DoesNotContain(serve.Data, body);
        }
        Assert.Empty(serve.JobFolders());
    }

    [SkippableFact]
    public void AnUploadThatNamesOtherFilesOrIsNoVideoIsRefused()
    {
        MediaTools.SkipIfMissing();
        using var serve = ServeProcess.Start();
        // An HLS playlist naming a file of this machine by its full path, uploaded under a video's name.
        string playlist = serve.Scratch.File("list.m3u8");
        MediaTools.Ffmpeg("-i", ServeProcess.Sample, "-c", "copy", "-f", "hls", "-hls_time", "10", "-hls_list_size", "0", playlist);
        string segment = Directory.EnumerateFiles(serve.Scratch.Path, "*.ts").Single();
        string disguised = serve.Scratch.File("holiday.mp4");
        File.WriteAllText(disguised, File.ReadAllText(playlist).Replace(Path.GetFileName(segment), segment));
        var (status, body) = serve.Submit(Composition, disguised);
        _log.WriteLine($"a playlist: {status} {body}");
        Assert.Equal(400, status);
        Assert.Contains("'hls' is not taken", body);

        string text = serve.Scratch.File("notes.mp4");
        File.WriteAllText(text, "not a video");
        (status, body) = serve.Submit(Composition, text);
        _log.WriteLine($"a text file: {status} {body}");
        Assert.Equal(400, status);
        Assert.Contains("input: not a video or image", body);
        Assert.DoesNotContain(serve.Data, body);
        Assert.Empty(serve.JobFolders());
    }

    [SkippableFact]
    public void AForeignHostOrOriginIsRefused()
    {
        MediaTools.SkipIfMissing();
        using var serve = ServeProcess.Start();
        string port = new Uri(serve.Origin).Port.ToString();
        foreach (var (host, expected) in new[] { ($"rebind.example:{port}", 403), ($"localhost:{port}", 200), ($"127.0.0.1:{port}", 200) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{serve.Origin}/api/jobs");
            request.Headers.Host = host;
            using var answer = serve.Http.SendAsync(request).Result;
            _log.WriteLine($"Host {host}: {(int)answer.StatusCode} {answer.Content.ReadAsStringAsync().Result}");
            Assert.Equal(expected, (int)answer.StatusCode);
        }
        using (var forged = new HttpRequestMessage(HttpMethod.Post, $"{serve.Origin}/api/jobs")
               { Content = ServeProcess.JobContent(Composition, File.ReadAllBytes(ServeProcess.Sample), "a.mp4") })
        {
            forged.Headers.Add("Origin", "http://attacker.example");
            using var answer = serve.Http.SendAsync(forged).Result;
            _log.WriteLine($"POST from another site's page: {(int)answer.StatusCode} {answer.Content.ReadAsStringAsync().Result}");
            Assert.Equal(HttpStatusCode.Forbidden, answer.StatusCode);
        }
        using (var form = new HttpRequestMessage(HttpMethod.Post, $"{serve.Origin}/api/jobs") { Content = new StringContent("options=x", Encoding.UTF8, "application/x-www-form-urlencoded") })
        {
            var (status, body) = serve.Send(form);
            _log.WriteLine($"a form, not multipart: {status} {body}");
            Assert.Equal(415, status);
        }
        Assert.Empty(serve.JobFolders());
    }

    [Fact]
    public void OffLoopbackTheServerNeedsAToken()
    {
        var without = CliRunner.Run("serve", "--address", "0.0.0.0", "--port", "0");
        _log.WriteLine($"0.0.0.0 without --token: exit {without.ExitCode}: {without.StdErr.Trim()}");
        Assert.Equal(2, without.ExitCode);
        Assert.Contains("--token", without.StdErr);
        var shortToken = CliRunner.Run("serve", "--address", "0.0.0.0", "--port", "0", "--token", "short");
        _log.WriteLine($"a short token: exit {shortToken.ExitCode}: {shortToken.StdErr.Trim()}");
        Assert.Equal(2, shortToken.ExitCode);
        // A refused token is never repeated (shell history, CI logs): one read from a file with a CRLF ending, and one
        // with a space inside, were quoted whole by the path rule (review).
        foreach (var secret in new[] { "Sup3rS3cretT0kenValue-abcdefghijklmnop\r", "Sup3rS3cret T0kenValue-abcdefghijklmnop" })
        {
            var refused = CliRunner.Run("serve", "--address", "0.0.0.0", "--port", "0", "--token", secret);
            _log.WriteLine($"a token with white space: exit {refused.ExitCode}: {refused.StdErr.Trim()}");
            Assert.Equal(2, refused.ExitCode);
            Assert.DoesNotContain("S3cret", refused.StdErr);
        }

        // With a token (here on loopback), every request carries it.
        const string token = "0123456789abcdef0123";
        using var serve = ServeProcess.Start("--token", token);
        Assert.Equal(401, serve.Get("/api/jobs").Status);
        Assert.Equal(401, serve.Get("/api/jobs?token=0123456789abcdef0124").Status);
        Assert.Equal(200, serve.Get($"/api/jobs?token={token}").Status);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{serve.Origin}/api/openapi.json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var (openApiStatus, openApi) = serve.Send(request);
        Assert.Equal(200, openApiStatus);
        var document = JsonDocument.Parse(openApi).RootElement;
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        _log.WriteLine($"OpenAPI {document.GetProperty("openapi").GetString()}: {string.Join(", ", paths)}");
        Assert.Contains("/api/jobs", paths);
        Assert.Contains("/api/jobs/{id}/events", paths);
    }

    /// <summary>
    /// A token had no upper bound and took any printable character: 10 KB made the page's <c>?token=</c> links too
    /// long to be served (414), and <c>&amp;</c>, <c>#</c>, <c>%</c> or <c>+</c> in it broke those links' query
    /// (cut at #, split at &amp;, decoded at % and +). It is now 16 to 256 URL-safe characters (A-Z a-z 0-9 . _ ~ -),
    /// refused otherwise by the option, in one line that states the rule and never the token.
    /// </summary>
    [Fact]
    public async Task ATokenIsSixteenTo256UrlSafeCharacters()
    {
        const string rule = "mattekit: --token must be 16 to 256 characters, each a letter A-Z or a-z, a digit or one of . _ ~ - " +
                            "(URL-safe: the page's links carry it as ?token=)";
        foreach (var (what, token, expected) in new (string, string, string)[]
        {
            ("10 KB", "S3cret" + new string('a', 10_240), $"{rule}; got 10246 characters"),
            ("257 characters", "S3cret" + new string('a', 251), $"{rule}; got 257 characters"),
            ("an ampersand", "S3cretT0kenValue&admin=1", $"{rule}; it holds another character"),
            ("a hash", "S3cretT0kenValue#fragment", $"{rule}; it holds another character"),
            ("a percent sign", "S3cretT0kenValue%41%42", $"{rule}; it holds another character"),
            ("a plus", "S3cretT0kenValue+more", $"{rule}; it holds another character"),
            ("a space", "S3cretT0kenValue more", $"{rule}; it holds another character"),
            ("a letter outside ASCII", "S3cretT0kenValueé", $"{rule}; it holds another character"),
            ("a control character", "S3cretT0kenValue\u0001x", $"{rule}; it holds another character"),
        })
        {
            // Bounded: a token taken starts a server, which runs until stopped.
            using var data = new TempFolder();
            using var p = CliRunner.Start(new Dictionary<string, string>(), "serve", "--port", "0", "--data", data.Path, "--token", token);
            var reading = p.StandardError.ReadToEndAsync();
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            bool refused = true;
            try
            {
                await p.WaitForExitAsync(bound.Token);
            }
            catch (OperationCanceledException)
            {
                refused = false;
                p.Kill(entireProcessTree: true);
                await p.WaitForExitAsync();
            }
            string stderr = (await reading).Trim();
            _log.WriteLine($"a token with {what}: {(refused ? $"exit {p.ExitCode}" : "served")}: {stderr}");
            Assert.True(refused, $"a token with {what} was taken");
            Assert.Equal(2, p.ExitCode);
            Assert.Equal(expected, Assert.Single(stderr.Split('\n')));
            Assert.DoesNotContain("S3cret", stderr);
        }

        // The longest taken, with every kind of character allowed, opens the page by its link.
        string longest = "Az09._~-" + new string('x', 248);
        using var serve = ServeProcess.Start("--token", longest);
        Assert.Equal(200, serve.Get($"/api/jobs?token={longest}").Status);
        Assert.Equal(401, serve.Get("/api/jobs").Status);
    }

    [SkippableFact]
    public void CtrlCWithAJobRunningCancelsItRemovesItsFilesAndExits130()
    {
        MediaTools.SkipIfMissing();
        using var serve = ServeProcess.Start();
        string clip = LongClip(serve);
        var (status, body) = serve.Submit(Composition, clip);
        Assert.Equal(201, status);
        string id = Id(body);
        Assert.Equal(201, serve.Submit(Composition, clip).Status);
        serve.WaitForJob(id, j => j.GetProperty("progress").GetProperty("frames_done").GetInt32() > 0, JobBound);
        var result = serve.Interrupt();
        _log.WriteLine($"exit {result.ExitCode}: {result.StdErr.Trim()}");
        Assert.Equal(130, result.ExitCode);
        Assert.Contains("2 unfinished job(s) cancelled", result.StdErr);
        Assert.Empty(serve.JobFolders());
        Assert.Empty(Directory.EnumerateFileSystemEntries(serve.Data));
    }
}
