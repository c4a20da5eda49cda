using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using MatteKit.Live;

namespace MatteKit.Cli.Preview;

/// <summary>
/// The page of <c>mattekit live --preview</c>: <c>GET /</c> the page, <c>GET /frame?after=N</c> the newest small
/// frame after N (long poll, raw bytes: composition, alpha, input), <c>GET /stats</c> the numbers as <c>--stats</c>
/// names them, <c>POST /control</c> (JSON: background, ratio, reset) and <c>POST /background</c> (an image's bytes).
/// Changes must come as JSON or octet-stream, types a page from another site cannot send without asking first (and
/// is not answered), and on loopback the Host header must name loopback (no DNS rebinding).
/// </summary>
internal sealed class PreviewServer : IDisposable
{
    /// <summary>The largest background image taken by upload.</summary>
    private const long MaxUploadBytes = 32L << 20;

    /// <summary>Requests handled at once (long polls included); more get 503.</summary>
    private const int MaxConcurrent = 16;

    private static readonly TimeSpan LongPoll = TimeSpan.FromSeconds(2);
    private readonly HttpListener _listener = new();
    private readonly PreviewAddress _address;
    private readonly PreviewFrames _frames;
    private readonly SemaphoreSlim _slots = new(MaxConcurrent);
    private readonly string _uploads = Directory.CreateTempSubdirectory("mattekit-preview-").FullName;
    private readonly Task _loop;
    private LiveMatter? _matter;
    private int _upload;

    private PreviewServer(PreviewAddress address, PreviewFrames frames)
    {
        _address = address;
        _frames = frames;
        _listener.Prefixes.Add(address.Prefix);
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
    }

    /// <exception cref="IOException">The address cannot be listened on (in use, not this machine's).</exception>
    public static PreviewServer Start(PreviewAddress address, PreviewFrames frames)
    {
        try
        {
            return new PreviewServer(address, frames);
        }
        catch (HttpListenerException e)
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
            if (!_slots.Wait(0))
            {
                Answer(context.Response, 503, "text/plain", "busy");
                continue;
            }
            _ = Task.Run(() =>
            {
                try
                {
                    Handle(context);
                }
                catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
                {
                    // The page went away mid-answer.
                }
                finally
                {
                    _slots.Release();
                }
            });
        }
    }

    private void Handle(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        if (_address.IsLoopback && !IsLoopbackHost(request.UserHostName))
        {
            Answer(response, 403, "text/plain", "this page answers only to a loopback host name");
            return;
        }
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

    private static bool IsLoopbackHost(string? host)
    {
        if (string.IsNullOrEmpty(host)) return false;
        string name = host.StartsWith('[') ? host[1..host.IndexOf(']')] : host.Split(':')[0];
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
                string background = matter.Background;
                json.WriteString("background", background.StartsWith(_uploads, StringComparison.Ordinal) ? "an uploaded image" : background);
                json.WriteString("ratio_asked", matter.DownsampleRatio is { } r ? r.ToString(CultureInfo.InvariantCulture) : "auto");
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
        if (!IsType(request, "application/json") || request.ContentLength64 is < 0 or > 4096)
        {
            Answer(response, 415, "text/plain", "send a JSON object of at most 4 KB as application/json");
            return;
        }
        if (Volatile.Read(ref _matter) is not { } matter)
        {
            Answer(response, 503, "text/plain", "the session is still starting");
            return;
        }
        try
        {
            using var reader = new StreamReader(request.InputStream, Encoding.UTF8);
            using var document = JsonDocument.Parse(reader.ReadToEnd());
            var root = document.RootElement;
            if (root.TryGetProperty("background", out var background)) matter.SetBackground(background.GetString() ?? "");
            if (root.TryGetProperty("ratio", out var ratio))
                matter.SetDownsampleRatio(ratio.ValueKind == JsonValueKind.String && ratio.GetString() == "auto" ? null : ratio.GetDouble());
            if (root.TryGetProperty("reset", out var reset) && reset.GetBoolean()) matter.Reset();
            Answer(response, 200, "application/json", StatsJson());
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or FormatException or Media.MediaFormatException)
        {
            Answer(response, 400, "text/plain", e.Message);
        }
    }

    private void Upload(HttpListenerRequest request, HttpListenerResponse response)
    {
        if (!IsType(request, "application/octet-stream") || request.ContentLength64 is < 1 or > MaxUploadBytes)
        {
            Answer(response, 415, "text/plain", $"send the image's bytes as application/octet-stream, at most {MaxUploadBytes >> 20} MB");
            return;
        }
        if (Volatile.Read(ref _matter) is not { } matter)
        {
            Answer(response, 503, "text/plain", "the session is still starting");
            return;
        }
        // The background reader takes a file: each upload its own, so the one in use is never overwritten.
        string path = Path.Combine(_uploads, $"background-{Interlocked.Increment(ref _upload)}");
        using (var file = File.Create(path))
        {
            request.InputStream.CopyTo(file);
        }
        try
        {
            matter.SetBackground(path);
            Answer(response, 200, "application/json", StatsJson());
        }
        catch (Exception e) when (e is ArgumentException or Media.MediaFormatException or InvalidOperationException)
        {
            File.Delete(path);
            Answer(response, 400, "text/plain", e.Message.Replace(path, "the uploaded image", StringComparison.Ordinal));
        }
    }

    private static bool IsType(HttpListenerRequest request, string type)
        => request.ContentType?.Split(';')[0].Trim().Equals(type, StringComparison.OrdinalIgnoreCase) == true;

    private static void Answer(HttpListenerResponse response, int status, string type, string body) => Answer(response, status, type, Encoding.UTF8.GetBytes(body));

    private static void Answer(HttpListenerResponse response, int status, string type, ReadOnlySpan<byte> body)
    {
        response.StatusCode = status;
        response.ContentType = type;
        response.ContentLength64 = body.Length;
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
        try
        {
            Directory.Delete(_uploads, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
