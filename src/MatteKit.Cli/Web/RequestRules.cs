using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace MatteKit.Cli.Web;

/// <summary>
/// What the CLI's web servers check of every request before reading its body (the Host header against DNS
/// rebinding, the session's token, the body's type against requests forged by other sites' pages) and how they
/// answer in a few bytes.
/// </summary>
internal static class RequestRules
{
    /// <summary>Whether a Host header names loopback (localhost, 127.x, [::1]), with or without a port.</summary>
    public static bool IsLoopbackHost(string? host)
    {
        if (HostName(host) is not { } name) return false;
        return name == "localhost" || (IPAddress.TryParse(name, out var ip) && IPAddress.IsLoopback(ip));
    }

    /// <summary>
    /// Whether a Host header names the server bound to <paramref name="bound"/>: a loopback name for a loopback
    /// address, the address itself otherwise; on every interface (0.0.0.0, ::) a loopback name, this machine's name or
    /// one of its interfaces' addresses (a name another site's DNS points here is refused: DNS rebinding). The port is
    /// not compared: a browser sends the one it connected to, another than the server's only through a forward (ssh -L,
    /// a container's published port), which must work; a page of another port is another origin, the Origin check's.
    /// </summary>
    public static bool NamesServer(string? host, IPAddress bound)
    {
        if (bound.Equals(IPAddress.Any) || bound.Equals(IPAddress.IPv6Any))
            return IsLoopbackHost(host) || (HostName(host) is { } named
                && (named.Equals(Environment.MachineName, StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(named, out var own) && OwnAddresses.Value.Contains(own))));
        if (IPAddress.IsLoopback(bound)) return IsLoopbackHost(host);
        return HostName(host) is { } name && IPAddress.TryParse(name, out var ip) && ip.Equals(bound);
    }

    /// <summary>This machine's interfaces' addresses (read once: a server's addresses do not change while it runs).</summary>
    private static readonly Lazy<HashSet<IPAddress>> OwnAddresses = new(() => System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
        .SelectMany(n => n.GetIPProperties().UnicastAddresses).Select(a => a.Address).ToHashSet());

    /// <summary>The name of a Host header, less its port and an IPv6 address's brackets; null when empty.</summary>
    private static string? HostName(string? host)
    {
        if (string.IsNullOrEmpty(host)) return null;
        return host.StartsWith('[') && host.IndexOf(']') > 0 ? host[1..host.IndexOf(']')] : host.Split(':')[0];
    }

    /// <summary>Whether <paramref name="given"/> is the token, compared in constant time.</summary>
    public static bool IsToken(string? given, byte[] token)
        => given is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), token);

    public static bool IsType(HttpRequest request, string type)
        => request.ContentType?.Split(';')[0].Trim().Equals(type, StringComparison.OrdinalIgnoreCase) == true;

    public static Task AnswerAsync(HttpContext context, int status, string type, string body)
        => AnswerAsync(context, status, type, Encoding.UTF8.GetBytes(body));

    public static Task AnswerAsync(HttpContext context, int status, string type, ReadOnlyMemory<byte> body)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = type;
        response.ContentLength = body.Length;
        // A refused request's body may be unread: closing the connection after the answer spares reading it.
        if (status >= 400) response.Headers.Connection = "close";
        return response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }
}
