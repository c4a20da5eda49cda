using System.Globalization;
using System.IO.Compression;
using System.Net.ServerSentEvents;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MatteKit.Cli.Web;
using MatteKit.Conversion;
using MatteKit.Inference;
using MatteKit.Jobs;
using MatteKit.Media;
using MatteKit.Rvm;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;

namespace MatteKit.Cli.Serve;

/// <summary>
/// The HTTP face of a <see cref="JobRunner"/> (<c>mattekit serve</c>), on Kestrel with minimal APIs and described at
/// <c>/api/openapi.json</c>. Before any body is read: the Host header must name this server (no DNS rebinding), the
/// token must come with every request when there is one, and a request that changes something from a page must come
/// from this server's own origin (a browser says where from in <c>Origin</c>); a job comes only as
/// multipart/form-data, options first (checked before the upload is taken), its size bounded. Upload names are
/// never paths: a job's files have fixed names in its folder, only a known extension kept.
/// </summary>
internal sealed class JobServer : IDisposable
{
    /// <summary>The options part (JSON) at most.</summary>
    private const int MaxOptionsBytes = 64 * 1024;

    /// <summary>Room for the options part and the multipart framing, beyond the uploaded files.</summary>
    private const long FramingBytes = MaxOptionsBytes + 64 * 1024;

    /// <summary>Uploads taken at once; more get 503 (each holds a place in the queue meanwhile).</summary>
    private const int MaxUploads = 2;

    /// <summary>First-frame previews decoded at once (each an ffmpeg); more get 503.</summary>
    private const int MaxPreviews = 2;

    /// <summary>Connections open at once (event streams and downloads included); more are closed.</summary>
    private const int MaxConnections = 128;

    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    private static readonly string[] VideoExtensions = { ".mp4", ".m4v", ".mkv", ".mov", ".webm", ".avi", ".gif", ".mpg", ".mpeg", ".ts", ".mts", ".flv", ".wmv", ".ogv", ".3gp" };

    /// <summary>The API's JSON: snake_case names, text as it is (an apostrophe in a message stays one).</summary>
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly WebApplication _app;
    private readonly JobRunner _runner;
    private readonly ServeSettings _settings;
    private readonly byte[]? _token;
    private readonly SemaphoreSlim _uploads = new(MaxUploads);
    private readonly SemaphoreSlim _previews = new(MaxPreviews);

    private JobServer(ServeSettings settings, JobRunner runner)
    {
        _settings = settings;
        _runner = runner;
        _token = settings.Token is { } t ? Encoding.UTF8.GetBytes(t) : null;
        var builder = LocalWebHost.CreateBuilder(settings.Address, settings.Port, MaxConnections, settings.MaxUploadBytes + FramingBytes);
        builder.Services.AddLogging();
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = Json.PropertyNamingPolicy;
            o.SerializerOptions.Encoder = Json.Encoder;
        });
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "mattekit serve";
            document.Info.Description = "Matting jobs: POST /api/jobs (multipart: a part 'options', JSON with convert's option names in snake_case " +
                                        $"({string.Join(", ", JobOptionsJson.Names)}) and 'outputs' ({{\"composition\": \"mp4\"}}); optionally a part " +
                                        "'background' (an image); then a part 'input', the video or image).";
            return Task.CompletedTask;
        }));
        _app = builder.Build();
        _app.Use(GateAsync);
        _app.MapOpenApi("/api/openapi.json");
        _app.MapGet("/", (HttpContext context) => Page(context)).ExcludeFromDescription();
        _app.MapPost("/api/jobs", (Delegate)(Func<HttpContext, Task<IResult>>)CreateAsync)
            .WithName("CreateJob").WithSummary("Upload an input with its options; the job is queued")
            .Accepts<IFormFile>("multipart/form-data")
            .Produces<JobCreated>(201).Produces<ErrorView>(400).Produces<ErrorView>(413).Produces<ErrorView>(415).Produces<ErrorView>(429);
        _app.MapGet("/api/jobs", () => TypedResults.Json(_runner.Jobs.Select(View).ToList(), Json))
            .WithName("ListJobs").WithSummary("Every job, oldest first").Produces<List<JobView>>();
        _app.MapGet("/api/jobs/{id}", (string id) => _runner.Find(id) is { } job ? Results.Json(View(job), Json) : NotFound(id))
            .WithName("GetJob").WithSummary("A job's status, progress, outputs and error").Produces<JobView>().Produces<ErrorView>(404);
        _app.MapGet("/api/jobs/{id}/events", (string id, HttpContext context) => _runner.Find(id) is { } job
                ? TypedResults.ServerSentEvents(Events(job, context.RequestAborted))
                : NotFound(id))
            .WithName("JobEvents").WithSummary("Server-sent events: the job (as GetJob) at each change, until it ends").Produces<JobView>(200, "text/event-stream");
        _app.MapGet("/api/jobs/{id}/outputs/{name}", (string id, string name) => Output(id, name))
            .WithName("GetOutput").WithSummary("An output file; range requests are answered (players seek)").Produces(200).Produces<ErrorView>(404);
        _app.MapGet("/api/jobs/{id}/preview", (string id, HttpContext context) => PreviewAsync(id, context.RequestAborted))
            .WithName("GetPreview").WithSummary("The input's first frame as PNG (for choosing the subject)").Produces(200, contentType: "image/png").Produces<ErrorView>(404);
        _app.MapDelete("/api/jobs/{id}", (string id) => _runner.Remove(id) ? Results.NoContent() : NotFound(id))
            .WithName("DeleteJob").WithSummary("Cancels a waiting or running job (its files removed), or removes a finished one").Produces(204).Produces<ErrorView>(404);
        // Not for POST: a job sent as another type than multipart is answered 415 by routing (the Accepts above), not 404.
        _app.MapFallback(() => Refuse(404, "not found: the API is under /api/jobs, described at /api/openapi.json"))
            .WithMetadata(new HttpMethodMetadata(new[] { "GET", "HEAD", "DELETE", "PUT", "PATCH" }));
    }

    private static readonly Lazy<byte[]> PageBytes = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("MatteKit.Cli.Serve.serve.html")
                           ?? throw new InvalidOperationException("the serve page is missing from the build");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    // The page and its script are one file; it loads nothing from anywhere, and the policy says so to the browser.
    private static IResult Page(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' blob: data:; " +
                                        "media-src 'self' blob:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers.CacheControl = "no-store";
        return TypedResults.Bytes(PageBytes.Value, "text/html; charset=utf-8");
    }

    /// <summary>Where the server answers (the port the system picked, when asked for 0).</summary>
    public IReadOnlyList<string> Urls { get; private set; } = Array.Empty<string>();

    /// <exception cref="IOException">The address cannot be listened on (in use, not this machine's).</exception>
    public static JobServer Start(ServeSettings settings, JobRunner runner)
    {
        var server = new JobServer(settings, runner);
        try
        {
            server._app.StartAsync().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            server.Dispose();
            throw new IOException($"serve {settings.Address}:{settings.Port}: cannot listen there ({e.GetBaseException().Message})", e);
        }
        var addresses = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? new List<string>();
        server.Urls = addresses.Select(a => a.TrimEnd('/') + "/").ToList();
        return server;
    }

    // What can be refused without reading a byte of the body is refused here (small answers, the connection closed after them).
    private async Task GateAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        if (!RequestRules.NamesServer(request.Host.Value, _settings.Address))
        {
            await WriteRefusalAsync(context, 403, "this server answers only to its own address (the Host header names another)");
            return;
        }
        if (_token is not null && !HasToken(request))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await WriteRefusalAsync(context, 401, "this server needs its token: send Authorization: Bearer TOKEN (or ?token=TOKEN)");
            return;
        }
        // A page of another site may send a form here (multipart is a type it can send without asking); its browser
        // says where it comes from, and it is not this server.
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method)
            && request.Headers.Origin is { Count: > 0 } origin && !SameOrigin(origin.ToString(), request.Host.Value))
        {
            await WriteRefusalAsync(context, 403, "requests that change something are taken only from this server's own pages");
            return;
        }
        await next(context);
    }

    private bool HasToken(HttpRequest request)
    {
        string? given = null;
        if (request.Headers.Authorization.ToString() is { Length: > 7 } header && header.StartsWith("Bearer ", StringComparison.Ordinal)) given = header[7..];
        else if (request.Query.TryGetValue("token", out var query) && query.Count == 1) given = query[0];
        return RequestRules.IsToken(given, _token!);
    }

    private static bool SameOrigin(string origin, string? host)
        => Uri.TryCreate(origin, UriKind.Absolute, out var uri) && host is not null
           && string.Equals(uri.Authority, host, StringComparison.OrdinalIgnoreCase);

    private static Task WriteRefusalAsync(HttpContext context, int status, string message)
        => RequestRules.AnswerAsync(context, status, "application/json", JsonSerializer.SerializeToUtf8Bytes(new ErrorView(message), Json));

    private static IResult Refuse(int status, string message) => new Refusal(status, message);

    private static IResult NotFound(string id) => Refuse(404, $"no job '{PrintableText.Excerpt(id, 80)}'");

    private async Task<IResult> CreateAsync(HttpContext context)
    {
        var request = context.Request;
        long maxBody = _settings.MaxUploadBytes + FramingBytes;
        if (!RequestRules.IsType(request, "multipart/form-data")
            || !MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            || HeaderUtilities.RemoveQuotes(type.Boundary).Value is not { Length: > 0 and <= 200 } boundary)
            return Refuse(415, "send a job as multipart/form-data: a part 'options' (JSON), then 'input' (the video or image)");
        if (request.ContentLength > maxBody) return TooLarge();
        long expected = request.ContentLength ?? maxBody;
        if (!_runner.HasRoomFor(expected)) return Refuse(507, "the server's disk has no room for this upload now; try again once jobs are removed");
        if (!_uploads.Wait(0)) return Refuse(503, "busy: other uploads are under way; try again shortly");
        // An upload holds one of few slots: one that trickles in (below 1 MB/s on the whole) is cut off, not waited for.
        var seconds = TimeSpan.FromSeconds(60 + expected / (1 << 20));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        deadline.CancelAfter(seconds);
        try
        {
            Job job;
            try
            {
                job = _runner.Reserve();
            }
            catch (JobQueueFullException e)
            {
                return Refuse(429, e.Message);
            }
            bool queued = false;
            try
            {
                var result = await ReceiveAsync(context, job, boundary, deadline.Token);
                queued = result is null;
                return result ?? TypedResults.Created($"/api/jobs/{job.Id}", new JobCreated(job.Id, "queued"));
            }
            catch (BadHttpRequestException e) when (e.StatusCode == 413)
            {
                return TooLarge();
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
            {
                return Refuse(408, $"the upload took longer than {seconds.TotalSeconds:0} s (at least 1 MB/s is expected); nothing was kept");
            }
            catch (Exception e) when (e is InvalidDataException or BadHttpRequestException or IOException)
            {
                return Refuse(400, $"the upload could not be read ({e.Message.TrimEnd('.')})");
            }
            finally
            {
                if (!queued) _runner.Release(job);
            }
        }
        finally
        {
            _uploads.Release();
        }
    }

    private IResult TooLarge() => Refuse(413, $"the upload is larger than {_settings.MaxUploadBytes >> 20} MB (--max-upload-mb)");

    /// <summary>Reads the parts into the job's folder and queues it; null once queued, else the refusal.</summary>
    private async Task<IResult?> ReceiveAsync(HttpContext context, Job job, string boundary, CancellationToken cancel)
    {
        var reader = new MultipartReader(boundary, context.Request.Body) { HeadersCountLimit = 8, HeadersLengthLimit = 8 * 1024 };
        var section = await reader.ReadNextSectionAsync(cancel);
        if (section is null || PartName(section) is not ("options", _))
            return Refuse(400, "the first part must be 'options' (JSON), before the input");
        byte[] json = await ReadSmallAsync(section.Body, MaxOptionsBytes, cancel) ?? Array.Empty<byte>();
        if (json.Length == 0) return Refuse(400, $"options: empty or larger than {MaxOptionsBytes} bytes");
        string provisional = Path.Combine(job.Folder, "input");
        try
        {
            JobOptionsJson.Read(json, provisional, job.Folder, background: null);
        }
        catch (UsageException e)
        {
            return Refuse(400, job.Relative(e.Message));
        }
        string? background = null, input = null;
        long allowance = _settings.MaxUploadBytes;
        while (input is null && (section = await reader.ReadNextSectionAsync(cancel)) is not null)
        {
            var (name, fileName) = PartName(section);
            if (name == "background" && background is null)
            {
                if (Extension(fileName, FrameSource.ImageExtensions) is not { Length: > 0 } extension)
                    return Refuse(400, $"background: upload an image ({string.Join(", ", FrameSource.ImageExtensions)}) with its file name");
                background = Path.Combine(job.Folder, "background" + extension);
            }
            else if (name == "input")
            {
                input = Path.Combine(job.Folder, "input" + Extension(fileName, VideoExtensions.Concat(FrameSource.ImageExtensions)));
            }
            else
            {
                return Refuse(400, $"unexpected part '{PrintableText.Excerpt(name ?? "", 80)}': send 'options', then 'background' (optional), then 'input'");
            }
            long written = await SaveAsync(section.Body, input ?? background!, allowance, cancel);
            if (written < 0) return TooLarge();
            allowance -= written;
        }
        if (input is null) return Refuse(400, "no part 'input' (the video or image)");
        ConvertOptions options;
        try
        {
            await Task.Run(() =>
            {
                UploadedMedia.Check(input, "input", cancel);
                if (background is not null) UploadedMedia.Check(background, "background", cancel);
            }, cancel);
            options = JobOptionsJson.Read(json, input, job.Folder, background);
            await Task.Run(() => CheckAgainstInput(options, input, cancel), cancel);
            _runner.Enqueue(job, options);
        }
        catch (UsageException e)
        {
            return Refuse(400, job.Relative(e.Message));
        }
        catch (ArgumentException e)
        {
            return Refuse(400, job.Relative(ParameterFlags.Say(e)));
        }
        catch (MediaFormatException e)
        {
            // The size probe's answer: a file ffprobe takes but holds no video stream or frame size.
            return Refuse(400, job.Relative(e.Message));
        }
        return null;
    }

    /// <summary>
    /// What only the input can tell, told at upload rather than by a job that fails later: a single-image output (png) needs
    /// an image input, each output must hold what is asked of it (convert's own rules: 16 bits only in ProRes or PNG,
    /// transparency not in mp4), a downsample ratio must leave the network a pixel of the frame (convert's line), and a
    /// subject's point must lie in its frame. The frame's size is probed once, only when a ratio or a point needs it.
    /// </summary>
    /// <exception cref="UsageException">One line, naming the option or the output.</exception>
    private static void CheckAgainstInput(ConvertOptions options, string input, CancellationToken cancel)
    {
        bool image = FrameSource.IsImage(input);
        foreach (var output in new[] { options.OutputComposition, options.OutputAlpha, options.OutputForeground, options.OutputSegmentation })
            if (!image && output is not null && output.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
                throw new UsageException($"outputs: {Path.GetFileNameWithoutExtension(output)} as png needs an image input; this input is a video (mp4, m4v, mkv, webm, mov or gif)");
        try
        {
            OutputTarget.For(options, image, options.Background.IsTransparent);
        }
        catch (MediaFormatException e)
        {
            // Convert's own line, naming the output as the job's folder names it (composition.mp4).
            throw new UsageException(e.Message);
        }
        double? ratio = options.Matting.DownsampleRatio is { } r && r < 1 ? r : null;
        if (options.Subject is null && ratio is null) return;
        var size = Media.Ffmpeg.MediaProbe.Probe(input, UploadProbeTimeout, cancel).DisplaySize;
        if (ratio is { } shrink)
        {
            // The frames the network sees: the input's, or --input-resize's.
            var (width, height) = options.InputResize ?? size;
            RvmGeometry.RequireNetworkPixels(width, height, shrink);
        }
        if (options.Subject is { } subject && !subject.Fits(size.Width, size.Height))
            throw new UsageException($"subject {subject}: outside the input's frame ({size.Width}x{size.Height})");
    }

    private static readonly TimeSpan UploadProbeTimeout = TimeSpan.FromSeconds(20);

    private static (string? Name, string? FileName) PartName(MultipartSection section)
    {
        if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase)) return (null, null);
        string? fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar).Value is { Length: > 0 } star ? star : HeaderUtilities.RemoveQuotes(disposition.FileName).Value;
        return (HeaderUtilities.RemoveQuotes(disposition.Name).Value, fileName);
    }

    /// <summary>The upload name's extension when it is one of <paramref name="known"/> (lower case), else empty: the name is never used otherwise.</summary>
    private static string Extension(string? fileName, IEnumerable<string> known)
    {
        if (fileName is null) return "";
        int dot = fileName.LastIndexOf('.');
        string extension = dot >= 0 ? fileName[dot..].ToLowerInvariant() : "";
        return known.Contains(extension, StringComparer.Ordinal) ? extension : "";
    }

    private static async Task<byte[]?> ReadSmallAsync(Stream body, int cap, CancellationToken cancel)
    {
        var buffer = new byte[cap + 1];
        int got = await body.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancel);
        return got > cap ? null : buffer[..got];
    }

    /// <summary>Copies a part to <paramref name="path"/>; its length, or -1 past <paramref name="allowance"/> (the folder goes with the job).</summary>
    private static async Task<long> SaveAsync(Stream body, string path, long allowance, CancellationToken cancel)
    {
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        var buffer = new byte[1 << 16];
        long written = 0;
        int n;
        while ((n = await body.ReadAsync(buffer, cancel)) > 0)
        {
            written += n;
            if (written > allowance) return -1;
            await file.WriteAsync(buffer.AsMemory(0, n), cancel);
        }
        return written;
    }

    private static JobView View(Job job)
    {
        var now = job.Snapshot();
        string root = $"/api/jobs/{job.Id}";
        var outputs = job.Outputs().ToDictionary(o => o.Key, o => $"{root}/outputs/{o.Value}", StringComparer.Ordinal);
        var p = now.Progress;
        return new JobView(job.Id, now.State.ToString().ToLowerInvariant(),
            new ProgressView(p.FramesDone, p.FramesTotal, Math.Round(p.FramesPerSecond, 2), p.Remaining is { } r ? Math.Round(r.TotalSeconds, 1) : null),
            outputs, $"{root}/preview", now.Error, now.Created, now.Finished);
    }

    private static async IAsyncEnumerable<SseItem<JobView>> Events(Job job, [EnumeratorCancellation] CancellationToken cancel)
    {
        int seen = -1;
        while (!cancel.IsCancellationRequested)
        {
            var now = job.Snapshot();
            if (now.Version != seen)
            {
                seen = now.Version;
                yield return new SseItem<JobView>(View(job), "job");
                if (now.IsFinished) yield break;
            }
            var changed = job.WaitForChangeAsync(seen, cancel);
            var beat = Task.Delay(Heartbeat, cancel);
            try
            {
                await Task.WhenAny(changed, beat).WaitAsync(cancel);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
            // Nothing new for a while: an event all the same, so that proxies and clients see the stream alive.
            if (beat.IsCompleted && !changed.IsCompleted) seen = -1;
        }
    }

    private IResult Output(string id, string name)
    {
        if (_runner.Find(id) is not { } job) return NotFound(id);
        // Only a name the job lists; the request's text never becomes a path.
        if (job.Outputs().Values.FirstOrDefault(n => n == name) is not { } file) return Refuse(404, $"job {id} has no output '{PrintableText.Excerpt(name, 80)}'");
        string path = Path.Combine(job.Folder, file);
        return TypedResults.PhysicalFile(path, ContentType(file), enableRangeProcessing: true);
    }

    private static string ContentType(string file) => Path.GetExtension(file) switch
    {
        ".mp4" => "video/mp4",
        ".m4v" => "video/x-m4v",
        ".mkv" => "video/x-matroska",
        ".webm" => "video/webm",
        ".mov" => "video/quicktime",
        ".gif" => "image/gif",
        ".png" => "image/png",
        _ => "application/octet-stream",
    };

    private async Task<IResult> PreviewAsync(string id, CancellationToken cancel)
    {
        if (_runner.Find(id) is not { Options: { } options } job) return NotFound(id);
        string path = Path.Combine(job.Folder, "preview.png");
        if (!File.Exists(path))
        {
            if (!File.Exists(options.Input)) return Refuse(404, $"job {id} no longer has its input (it was cancelled or failed)");
            if (!await _previews.WaitAsync(0, cancel)) return Refuse(503, "busy: other previews are being made; try again shortly");
            try
            {
                byte[] png = await Task.Run(() => FirstFrame(options, cancel), cancel);
                string partial = path + $".{Guid.NewGuid():N}.partial";
                await File.WriteAllBytesAsync(partial, png, cancel);
                File.Move(partial, path, overwrite: true);
            }
            catch (Exception e) when (e is MediaFormatException or ArgumentException)
            {
                return Refuse(422, ParameterFlags.Say(e));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return Refuse(404, $"job {id} no longer has its input ({e.Message.TrimEnd('.')})");
            }
            finally
            {
                _previews.Release();
            }
        }
        return TypedResults.PhysicalFile(path, "image/png");
    }

    /// <summary>The input's first frame (at the job's start time and size) as PNG, decoded as the job decodes it.</summary>
    private static byte[] FirstFrame(ConvertOptions options, CancellationToken cancel)
    {
        using var source = FrameSource.Open(options, cancel);
        using var abort = cancel.Register(source.Abort);
        var slot = new FrameSlot();
        if (!source.Read(slot)) throw new MediaFormatException(source.Name, "holds no video frames");
        using var png = new MemoryStream();
        PngWriter.Write(png, slot.Width, slot.Height, slot.Rgb.AsSpan(0, slot.Width * slot.Height * 3), 3, CompressionLevel.Fastest);
        return png.ToArray();
    }

    // At once: open event streams and downloads are cut off.
    public void Dispose() => LocalWebHost.StopNow(_app);
}
