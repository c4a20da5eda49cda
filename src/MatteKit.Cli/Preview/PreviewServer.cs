using System.Globalization;
using System.Net;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MatteKit.Conversion;
using MatteKit.Live;
using MatteKit.Media;
using MatteKit.Media.Ffmpeg;

namespace MatteKit.Cli.Preview;

/// <summary>
/// The page of <c>mattekit live --preview</c>: <c>GET /</c> the page, <c>GET /frame?after=N</c> the newest small
/// frame after N (long poll, raw bytes: composition, alpha, input), <c>GET /stats</c> the numbers as <c>--stats</c>
/// names them, <c>POST /control</c> (JSON: background as a colour or blur, ratio, reset) and <c>POST /background</c>
/// (an image's bytes, decoded in memory: no file is written or read).
/// Every request must carry the session's random token (<c>?token=</c>, printed at start with the page's address):
/// without it, 403 and nothing else is read. Changes must come as JSON or octet-stream, types a page from another
/// site cannot send without asking first (and is not answered), and on loopback the Host header must name loopback
/// (no DNS rebinding). Bodies are read with a size cap and a deadline; changes have their own few request slots, so
/// stalled uploads cannot take the ones the page's frames and stats need.
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

    private static readonly TimeSpan LongPoll = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The most a request may take from the moment it is handled, its body and answer included (a 32 MB upload over
    /// a 10 Mbit/s link takes about 27 s); past it the connection is closed and its slot freed.
    /// </summary>
    private static readonly TimeSpan UploadDeadline = TimeSpan.FromSeconds(60);

    /// <summary>As <see cref="UploadDeadline"/> for a control (4 KB at most).</summary>
    private static readonly TimeSpan ControlDeadline = TimeSpan.FromSeconds(10);

    /// <summary>As <see cref="UploadDeadline"/> for the page, a frame (its long poll included) or the stats.</summary>
    private static readonly TimeSpan ReadDeadline = TimeSpan.FromSeconds(20);

    /// <summary>How long an uploaded JPEG, WebP or BMP may take ffmpeg to decode.</summary>
    private static readonly TimeSpan DecodeTimeout = TimeSpan.FromSeconds(20);

    private readonly HttpListener _listener = new();
    private readonly PreviewAddress _address;
    private readonly PreviewFrames _frames;
    private readonly byte[] _token;
    private readonly SemaphoreSlim _reads = new(MaxReads);
    private readonly SemaphoreSlim _changes = new(MaxChanges);
    private readonly Task _loop;
    private readonly Ipv6Relay? _relay;
    private LiveMatter? _matter;

    private PreviewServer(PreviewAddress address, PreviewFrames frames, string token)
    {
        _address = address;
        _frames = frames;
        Token = token;
        _token = Encoding.ASCII.GetBytes(token);
        if (address.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            // HttpListener cannot listen on IPv6 here: it listens on loopback, and the relay on the address asked for.
            var page = new IPEndPoint(IPAddress.Loopback, FreeLoopbackPort());
            _relay = new Ipv6Relay(address.Address, address.Port, page, loopbackHostsOnly: address.IsLoopback);
            _listener.Prefixes.Add($"http://{page}/");
        }
        else
        {
            _listener.Prefixes.Add(address.Prefix);
        }
        try
        {
            _listener.Start();
        }
        catch
        {
            _relay?.Dispose();
            throw;
        }
        _loop = Task.Run(AcceptAsync);
    }

    private static int FreeLoopbackPort()
    {
        var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    /// <summary>The secret every request must carry; part of <see cref="PageUrls"/>.</summary>
    public string Token { get; }

    /// <summary>Where a browser opens the page, the token included.</summary>
    public IReadOnlyList<string> PageUrls => _address.PageUrls(Token);

    /// <exception cref="IOException">The address cannot be listened on (in use, not this machine's).</exception>
    public static PreviewServer Start(PreviewAddress address, PreviewFrames frames)
    {
        // 128 bits from the system's generator: the page's only credential.
        string token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        try
        {
            return new PreviewServer(address, frames, token);
        }
        catch (HttpListenerException e)
        {
            throw new IOException($"--preview {address.Host}: cannot listen there ({e.Message})", e);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new IOException($"--preview {address.Host}: cannot listen there ({e.Message})", e);
        }
    }

    /// <summary>The running session, once it is built: controls answer 503 before.</summary>
    public void Attach(LiveMatter matter) => Volatile.Write(ref _matter, matter);

    private async Task AcceptAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            try
            {
                Dispatch(context);
            }
            catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
            {
                // The client went away before its answer.
            }
        }
    }

    // On the accept loop: what can be refused without reading a byte of the body is refused here (small answers,
    // the connection closed after them); the rest goes to a worker once a slot of its kind is free.
    private void Dispatch(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        if (_address.IsLoopback && !IsLoopbackHost(request.UserHostName))
        {
            Answer(response, 403, "text/plain", "this page answers only to a loopback host name");
            return;
        }
        if (!HasToken(request))
        {
            Answer(response, 403, "text/plain", "open the page at the address mattekit printed: it carries the session's token");
            return;
        }
        bool change = request.HttpMethod == "POST";
        var slots = change ? _changes : _reads;
        var allowed = !change ? ReadDeadline : request.Url?.AbsolutePath == "/background" ? UploadDeadline : ControlDeadline;
        if (!slots.Wait(0))
        {
            Answer(response, 503, "text/plain", "busy");
            return;
        }
        _ = Task.Run(() =>
        {
            // Past the deadline the connection is closed: a read or write it blocks then fails, and the slot is freed.
            using var deadline = new Timer(_ => CutOff(response, 408), null, allowed, Timeout.InfiniteTimeSpan);
            try
            {
                Handle(request, response);
            }
            catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
            {
                // The page went away mid-answer, or the deadline closed the connection.
            }
            catch (Exception)
            {
                // Whatever else went wrong, the connection is not left open (nor its details sent).
                CutOff(response, 500);
            }
            finally
            {
                slots.Release();
            }
        });
    }

    // Also on a timer thread, where an exception would end the process: the status when nothing was answered yet, then the connection closed.
    private static void CutOff(HttpListenerResponse response, int status)
    {
        try
        {
            response.StatusCode = status;
            response.KeepAlive = false;
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            // The answer's headers are out already.
        }
        try
        {
            response.Abort();
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException or IOException or HttpListenerException)
        {
        }
    }

    private bool HasToken(HttpListenerRequest request)
        => request.QueryString["token"] is { } given && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(given), _token);

    private void Handle(HttpListenerRequest request, HttpListenerResponse response)
    {
        switch (request.HttpMethod, request.Url?.AbsolutePath)
        {
            case ("GET", "/"):
                Answer(response, 200, "text/html; charset=utf-8", Page.Value);
                break;
            case ("GET", "/frame"):
                SendFrame(request, response);
                break;
            case ("GET", "/stats"):
                Answer(response, 200, "application/json", StatsJson());
                break;
            case ("POST", "/control"):
                Control(request, response);
                break;
            case ("POST", "/background"):
                Upload(request, response);
                break;
            default:
                Answer(response, 404, "text/plain", "not found");
                break;
        }
    }

    /// <summary>Whether a Host header names loopback (localhost, 127.x, [::1]), with or without a port.</summary>
    internal static bool IsLoopbackHost(string? host)
    {
        if (string.IsNullOrEmpty(host)) return false;
        string name = host.StartsWith('[') && host.IndexOf(']') > 0 ? host[1..host.IndexOf(']')] : host.Split(':')[0];
        return name == "localhost" || (IPAddress.TryParse(name, out var ip) && IPAddress.IsLoopback(ip));
    }

    private void SendFrame(HttpListenerRequest request, HttpListenerResponse response)
    {
        long after = long.TryParse(request.QueryString["after"], NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) ? n : -1;
        if (_frames.WaitNewer(after, LongPoll) is not { } frame)
        {
            response.StatusCode = 204;
            response.Close();
            return;
        }
        response.Headers["Cache-Control"] = "no-store";
        response.Headers["X-Width"] = frame.Width.ToString(CultureInfo.InvariantCulture);
        response.Headers["X-Height"] = frame.Height.ToString(CultureInfo.InvariantCulture);
        response.Headers["X-Index"] = frame.Index.ToString(CultureInfo.InvariantCulture);
        response.Headers["X-Composition-Channels"] = frame.CompositionChannels.ToString(CultureInfo.InvariantCulture);
        Answer(response, 200, "application/octet-stream", frame.Data.AsSpan(0, frame.Length));
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

    private void Control(HttpListenerRequest request, HttpListenerResponse response)
    {
        if (!IsType(request, "application/json") || request.ContentLength64 is < 0 or > MaxControlBytes)
        {
            Answer(response, 415, "text/plain", $"send a JSON object of at most {MaxControlBytes} bytes as application/json, with its length");
            return;
        }
        if (Volatile.Read(ref _matter) is not { } matter)
        {
            Answer(response, 503, "text/plain", "the session is still starting");
            return;
        }
        try
        {
            using var document = JsonDocument.Parse(ReadBody(request));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new FormatException("send a JSON object: {\"background\": ..., \"ratio\": ..., \"reset\": true}");
            // Only settings, never a path: the page must not make this process open (or say whether there is) a file.
            if (root.TryGetProperty("background", out var background))
                matter.SetBackground(CompositionBackground.ParseSetting(background.GetString() ?? ""));
            if (root.TryGetProperty("ratio", out var ratio))
                matter.SetDownsampleRatio(ratio.ValueKind == JsonValueKind.String && ratio.GetString() == "auto" ? null : ratio.GetDouble());
            if (root.TryGetProperty("reset", out var reset) && reset.GetBoolean()) matter.Reset();
            Answer(response, 200, "application/json", StatsJson());
        }
        catch (Exception e) when (e is JsonException or ArgumentException or FormatException or InvalidOperationException)
        {
            Answer(response, 400, "text/plain", e.Message);
        }
    }

    private void Upload(HttpListenerRequest request, HttpListenerResponse response)
    {
        if (!IsType(request, "application/octet-stream") || request.ContentLength64 is < 1 or > MaxUploadBytes)
        {
            Answer(response, 415, "text/plain", $"send the image's bytes as application/octet-stream with their length, at most {MaxUploadBytes >> 20} MB");
            return;
        }
        if (Volatile.Read(ref _matter) is not { } matter)
        {
            Answer(response, 503, "text/plain", "the session is still starting");
            return;
        }
        var bytes = ReadBody(request);
        try
        {
            // Decoded here, in memory, as an image only (PNG in process, the rest by ffmpeg from a pipe with the
            // image's demuxer forced): nothing uploaded is kept on disk or read as anything that names other files.
            var picture = PictureReader.DecodeImageBytes(bytes, "the uploaded image", matter.MaxPixels, DecodeTimeout);
            matter.SetBackground(CompositionBackground.FromPicture(picture, "an uploaded image"));
            Answer(response, 200, "application/json", StatsJson());
        }
        catch (Exception e) when (e is ArgumentException or MediaFormatException)
        {
            Answer(response, 400, "text/plain", e.Message);
        }
    }

    // The whole body, of the length it declared (checked against its cap before): a body that stalls is cut off by
    // the request's deadline, which closes the connection under this read.
    private static byte[] ReadBody(HttpListenerRequest request)
    {
        var body = new byte[request.ContentLength64];
        int got = request.InputStream.ReadAtLeast(body, body.Length, throwOnEndOfStream: false);
        if (got != body.Length) throw new IOException($"the body ended after {got} of {body.Length} bytes");
        return body;
    }

    private static bool IsType(HttpListenerRequest request, string type)
        => request.ContentType?.Split(';')[0].Trim().Equals(type, StringComparison.OrdinalIgnoreCase) == true;

    private static void Answer(HttpListenerResponse response, int status, string type, string body) => Answer(response, status, type, Encoding.UTF8.GetBytes(body));

    private static void Answer(HttpListenerResponse response, int status, string type, ReadOnlySpan<byte> body)
    {
        response.StatusCode = status;
        response.ContentType = type;
        response.ContentLength64 = body.Length;
        // A refused request's body may be unread: closing the connection after the answer spares reading it.
        if (status >= 400) response.KeepAlive = false;
        response.OutputStream.Write(body);
        response.Close();
    }

    private static readonly Lazy<byte[]> Page = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("MatteKit.Cli.Preview.preview.html")
                           ?? throw new InvalidOperationException("the preview page is missing from the build");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    public void Dispose()
    {
        try
        {
            _listener.Stop();
            _listener.Close();
        }
        catch (ObjectDisposedException)
        {
        }
        _loop.Wait(TimeSpan.FromSeconds(2));
        _relay?.Dispose();
    }
}
