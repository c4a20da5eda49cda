using System.Globalization;
using System.Net.Sockets;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MatteKit.Conversion;
using MatteKit.Cli.Web;
using MatteKit.Live;
using MatteKit.Media.Ffmpeg;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace MatteKit.Cli.Preview;

/// <summary>
/// The page of <c>mattekit live --preview</c>, served by Kestrel: <c>GET /</c> the page, <c>GET /frame?after=N</c>
/// the newest small frame after N (long poll, raw bytes: composition, alpha, input), <c>GET /stats</c> the numbers
/// as <c>--stats</c> names them, <c>POST /control</c> (JSON: background as a colour or blur, ratio, reset) and
/// <c>POST /background</c> (an image's bytes, decoded in memory: no file is written or read).
/// Every request must carry the session's random token (<c>?token=</c>, printed at start with the page's address):
/// without it, 403 and nothing else is read. Changes must come as JSON or octet-stream, types a page from another
/// site cannot send without asking first (and is not answered), and on loopback the Host header must name loopback
/// (no DNS rebinding). Kestrel bounds connections, headers (size and time) and bodies (size and rate); each request
/// also has a deadline, and changes have their own few request slots, so stalled uploads cannot take the ones the
/// page's frames and stats need.
/// </summary>
internal sealed class PreviewServer : IDisposable
{
    /// <summary>The largest background image taken by upload.</summary>
    private const long MaxUploadBytes = 32L << 20;

    /// <summary>The largest control request (JSON).</summary>
    private const long MaxControlBytes = 4096;

    /// <summary>Page, frame and stats requests handled at once (long polls included); more get 503.</summary>
    private const int MaxReads = 16;

    /// <summary>Changes (controls, uploads) handled at once; more get 503. Each upload holds its bytes in memory meanwhile.</summary>
    private const int MaxChanges = 2;

    /// <summary>Connections open at once, idle or not (the request slots, with room for refused ones); more are closed.</summary>
    private const int MaxConnections = 64;

    private static readonly TimeSpan LongPoll = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The most a request may take from the moment it is handled, its body and answer included (a 32 MB upload over
    /// a 10 Mbit/s link takes about 27 s); past it 408, or the connection is closed if the answer was under way.
    /// </summary>
    private static readonly TimeSpan UploadDeadline = TimeSpan.FromSeconds(60);

    /// <summary>As <see cref="UploadDeadline"/> for a control (4 KB at most).</summary>
    private static readonly TimeSpan ControlDeadline = TimeSpan.FromSeconds(10);

    /// <summary>As <see cref="UploadDeadline"/> for the page, a frame (its long poll included) or the stats.</summary>
    private static readonly TimeSpan ReadDeadline = TimeSpan.FromSeconds(20);

    /// <summary>How long an uploaded JPEG, WebP or BMP may take ffmpeg to decode.</summary>
    private static readonly TimeSpan DecodeTimeout = TimeSpan.FromSeconds(20);

    private readonly WebApplication _app;
    private readonly PreviewAddress _address;
    private readonly PreviewFrames _frames;
    private readonly byte[] _token;
    private readonly SemaphoreSlim _reads = new(MaxReads);
    private readonly SemaphoreSlim _changes = new(MaxChanges);
    private LiveMatter? _matter;

    private PreviewServer(PreviewAddress address, PreviewFrames frames, string token)
    {
        _address = address;
        _frames = frames;
        Token = token;
        _token = Encoding.ASCII.GetBytes(token);
        _app = Build(address);
        _app.Use(GateAsync);
        _app.MapGet("/", context => RequestRules.AnswerAsync(context, 200, "text/html; charset=utf-8", Page.Value));
        _app.MapGet("/frame", SendFrameAsync);
        _app.MapGet("/stats", context => RequestRules.AnswerAsync(context, 200, "application/json", StatsJson()));
        _app.MapPost("/control", ControlAsync);
        _app.MapPost("/background", UploadAsync);
        _app.MapFallback("{*path}", context => RequestRules.AnswerAsync(context, 404, "text/plain", "not found"));
    }

    // Kestrel with its bounds (LocalWebHost), routing for the few endpoints.
    private static WebApplication Build(PreviewAddress address)
        => LocalWebHost.CreateBuilder(address.Address, address.Port, MaxConnections, MaxUploadBytes).Build();

    /// <summary>The secret every request must carry; part of <see cref="PageUrls"/>.</summary>
    public string Token { get; }

    /// <summary>Where a browser opens the page, the token included.</summary>
    public IReadOnlyList<string> PageUrls => _address.PageUrls(Token);

    /// <exception cref="IOException">The address cannot be listened on (in use, not this machine's).</exception>
    public static PreviewServer Start(PreviewAddress address, PreviewFrames frames)
    {
        // 128 bits from the system's generator: the page's only credential.
        string token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var server = new PreviewServer(address, frames, token);
        try
        {
            server._app.StartAsync().GetAwaiter().GetResult();
            return server;
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            server.Dispose();
            throw new IOException($"--preview {address.Host}: cannot listen there ({e.GetBaseException().Message})", e);
        }
    }

    /// <summary>The running session, once it is built: controls answer 503 before.</summary>
    public void Attach(LiveMatter matter) => Volatile.Write(ref _matter, matter);

    // Before any endpoint: what can be refused without reading a byte of the body is refused here (small answers,
    // the connection closed after them); the rest goes on once a slot of its kind is free, under its deadline.
    private async Task GateAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        if (_address.IsLoopback && !RequestRules.IsLoopbackHost(request.Host.Value))
        {
            await RequestRules.AnswerAsync(context, 403, "text/plain", "this page answers only to a loopback host name");
            return;
        }
        if (!HasToken(request))
        {
            await RequestRules.AnswerAsync(context, 403, "text/plain", "open the page at the address mattekit printed: it carries the session's token");
            return;
        }
        bool change = HttpMethods.IsPost(request.Method);
        var slots = change ? _changes : _reads;
        var allowed = !change ? ReadDeadline : request.Path == "/background" ? UploadDeadline : ControlDeadline;
        if (!slots.Wait(0))
        {
            await RequestRules.AnswerAsync(context, 503, "text/plain", "busy");
            return;
        }
        var connection = context.RequestAborted;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(connection);
        deadline.CancelAfter(allowed);
        // An answer under way at the deadline (to a client that stopped reading it) ends with its connection.
        using var cutOff = deadline.Token.Register(() =>
        {
            if (context.Response.HasStarted) context.Abort();
        });
        // Every read and write of the endpoints observes it.
        context.RequestAborted = deadline.Token;
        try
        {
            await next(context);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !connection.IsCancellationRequested)
        {
            if (context.Response.HasStarted) context.Abort();
            else
            {
                context.RequestAborted = connection;
                await RequestRules.AnswerAsync(context, 408, "text/plain", $"the request took longer than {allowed.TotalSeconds:0} s");
            }
        }
        finally
        {
            slots.Release();
        }
    }

    private bool HasToken(HttpRequest request)
        => request.Query.TryGetValue("token", out var given) && given.Count == 1 && RequestRules.IsToken(given[0], _token);

    private async Task SendFrameAsync(HttpContext context)
    {
        var response = context.Response;
        long after = long.TryParse(context.Request.Query["after"], NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) ? n : -1;
        if (await _frames.WaitNewerAsync(after, LongPoll, context.RequestAborted) is not { } frame)
        {
            response.StatusCode = 204;
            return;
        }
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Width"] = frame.Width.ToString(CultureInfo.InvariantCulture);
        response.Headers["X-Height"] = frame.Height.ToString(CultureInfo.InvariantCulture);
        response.Headers["X-Index"] = frame.Index.ToString(CultureInfo.InvariantCulture);
        response.Headers["X-Composition-Channels"] = frame.CompositionChannels.ToString(CultureInfo.InvariantCulture);
        await RequestRules.AnswerAsync(context, 200, "application/octet-stream", frame.Data.AsMemory(0, frame.Length));
    }

    private byte[] StatsJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (Volatile.Read(ref _matter) is { } matter)
            {
                LiveStatsJson.WriteCounts(json, matter.Stats);
                json.WriteString("background", matter.Background);
                if (matter.Subject is { } subject) json.WriteString("subject", subject);
                var edges = matter.FinishingSettings;
                json.WriteNumber("alpha_choke", edges.AlphaChoke);
                json.WriteNumber("alpha_feather", edges.AlphaFeather);
                json.WriteString("alpha_levels", $"{edges.AlphaLevelLow.ToString(CultureInfo.InvariantCulture)}:{edges.AlphaLevelHigh.ToString(CultureInfo.InvariantCulture)}");
                json.WriteString("ratio_asked", matter.DownsampleRatio is { } r ? r.ToString(CultureInfo.InvariantCulture) : "auto");
                if (matter.RatioFailure is { } failure) json.WriteString("ratio_failure", failure);
                json.WriteBoolean("transparent", matter.Transparent);
            }
            else
            {
                json.WriteBoolean("starting", true);
            }
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private async Task ControlAsync(HttpContext context)
    {
        var request = context.Request;
        if (!RequestRules.IsType(request, "application/json") || request.ContentLength is not (>= 0 and <= MaxControlBytes))
        {
            await RequestRules.AnswerAsync(context, 415, "text/plain", $"send a JSON object of at most {MaxControlBytes} bytes as application/json, with its length");
            return;
        }
        if (Volatile.Read(ref _matter) is not { } matter)
        {
            await RequestRules.AnswerAsync(context, 503, "text/plain", "the session is still starting");
            return;
        }
        var body = await ReadBodyAsync(context, MaxControlBytes);
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new FormatException("send a JSON object: {\"background\": ..., \"ratio\": ..., \"reset\": true, \"subject\": \"X,Y\" or null}");
            // Only settings, never a path: the page must not make this process open (or say whether there is) a file.
            if (root.TryGetProperty("background", out var background))
                matter.SetBackground(CompositionBackground.ParseSetting(background.GetString() ?? ""));
            if (root.TryGetProperty("ratio", out var ratio))
                matter.SetDownsampleRatio(ratio.ValueKind == JsonValueKind.String && ratio.GetString() == "auto" ? null : ratio.GetDouble());
            if (root.TryGetProperty("reset", out var reset) && reset.GetBoolean()) matter.Reset();
            SetEdges(matter, root);
            if (root.TryGetProperty("subject", out var subject))
                matter.SetSubject(subject.ValueKind switch
                {
                    JsonValueKind.Null => null,
                    JsonValueKind.String when subject.GetString() == "everyone" => null, // as the stats say it
                    JsonValueKind.String => SubjectChoice.Parse(subject.GetString()!),
                    _ => throw new FormatException("subject must be a string (largest, center, N, X,Y or everyone) or null"),
                });
        }
        catch (Exception e) when (e is JsonException or ArgumentException or FormatException or InvalidOperationException or UsageException)
        {
            await RequestRules.AnswerAsync(context, 400, "text/plain", ParameterFlags.Say(e));
            return;
        }
        await RequestRules.AnswerAsync(context, 200, "application/json", StatsJson());
    }

    // The edge controls: alpha_choke (whole pixels), alpha_feather (sigma), alpha_levels ("LOW:HIGH"); one missing keeps its value.
    private static void SetEdges(LiveMatter matter, JsonElement root)
    {
        bool choke = root.TryGetProperty("alpha_choke", out var chokeValue), feather = root.TryGetProperty("alpha_feather", out var featherValue),
            levels = root.TryGetProperty("alpha_levels", out var levelsValue);
        if (!choke && !feather && !levels) return;
        var now = matter.FinishingSettings;
        var (low, high) = levels
            ? SharedOptions.ParseLevels(levelsValue.ValueKind == JsonValueKind.String ? levelsValue.GetString()! : throw new FormatException("alpha_levels must be a string LOW:HIGH"), "alpha_levels")
            : (now.AlphaLevelLow, now.AlphaLevelHigh);
        matter.SetAlphaEdges(choke ? chokeValue.GetSingle() : now.AlphaChoke, feather ? featherValue.GetSingle() : now.AlphaFeather, (float)low, (float)high);
    }

    private async Task UploadAsync(HttpContext context)
    {
        var request = context.Request;
        if (!RequestRules.IsType(request, "application/octet-stream") || request.ContentLength is not (>= 1 and <= MaxUploadBytes))
        {
            await RequestRules.AnswerAsync(context, 415, "text/plain", $"send the image's bytes as application/octet-stream with their length, at most {MaxUploadBytes >> 20} MB");
            return;
        }
        if (Volatile.Read(ref _matter) is not { } matter)
        {
            await RequestRules.AnswerAsync(context, 503, "text/plain", "the session is still starting");
            return;
        }
        var bytes = await ReadBodyAsync(context, MaxUploadBytes);
        try
        {
            // Decoded here, in memory, as an image only (PNG in process, the rest by ffmpeg from a pipe with the
            // image's demuxer forced): nothing uploaded is kept on disk or read as anything that names other files.
            var picture = PictureReader.DecodeImageBytes(bytes, "the uploaded image", matter.MaxPixels, DecodeTimeout);
            matter.SetBackground(CompositionBackground.FromPicture(picture, "an uploaded image"));
        }
        catch (Exception e) when (e is ArgumentException or MediaFormatException)
        {
            await RequestRules.AnswerAsync(context, 400, "text/plain", ParameterFlags.Say(e));
            return;
        }
        await RequestRules.AnswerAsync(context, 200, "application/json", StatsJson());
    }

    // The whole body, of the length it declared (checked against its cap before; Kestrel holds it to the cap too).
    // A body that stalls is cut off by Kestrel's minimum data rate (408), or by the request's deadline.
    private static async Task<byte[]> ReadBodyAsync(HttpContext context, long cap)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = cap;
        var body = new byte[context.Request.ContentLength ?? 0];
        int got = await context.Request.Body.ReadAtLeastAsync(body, body.Length, throwOnEndOfStream: false, context.RequestAborted);
        if (got != body.Length) throw new IOException($"the body ended after {got} of {body.Length} bytes");
        return body;
    }

    private static readonly Lazy<byte[]> Page = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("MatteKit.Cli.Preview.preview.html")
                           ?? throw new InvalidOperationException("the preview page is missing from the build");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    // At once: the session that fed the page has ended, and a long poll still waiting is cut off with it.
    public void Dispose() => LocalWebHost.StopNow(_app);
}
