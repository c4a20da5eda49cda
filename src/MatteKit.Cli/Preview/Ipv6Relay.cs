using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MatteKit.Cli.Preview;

/// <summary>
/// The preview page on an IPv6 address (<c>--preview [::1]:PORT</c>, or <c>[::]:PORT</c>). HttpListener on Linux
/// can neither listen there (its prefix parser takes the address's colons for the port's) nor take an IPv6 Host
/// header, so this socket listens instead and hands each connection to the page's listener on 127.0.0.1 (a port of
/// its own), one request per connection: the request's head is read (bounded in size and time), its Host checked as
/// the page checks it and replaced, <c>Connection: close</c> set, and the rest copied both ways as it comes. The
/// page's own checks (token, slots, deadlines) then apply as to any request; its deadlines end relayed ones too.
/// </summary>
internal sealed class Ipv6Relay : IDisposable
{
    private const int MaxHeadBytes = 16 * 1024;

    /// <summary>Connections relayed at once (the page's request slots, with room for refused ones); more are closed.</summary>
    private const int MaxConnections = 40;

    private static readonly TimeSpan HeadTimeout = TimeSpan.FromSeconds(10);

    private static readonly HashSet<string> HopHeaders = new(StringComparer.OrdinalIgnoreCase) { "host", "connection", "keep-alive", "proxy-connection" };

    private readonly Socket _listener;
    private readonly IPEndPoint _page;
    private readonly bool _loopbackHostsOnly;
    private readonly SemaphoreSlim _connections = new(MaxConnections);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <exception cref="SocketException">The address cannot be listened on.</exception>
    public Ipv6Relay(IPAddress address, int port, IPEndPoint page, bool loopbackHostsOnly)
    {
        _page = page;
        _loopbackHostsOnly = loopbackHostsOnly;
        _listener = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // [::] takes IPv4 connections too, as 0.0.0.0 does on the listener's side.
            if (address.Equals(IPAddress.IPv6Any)) _listener.DualMode = true;
            _listener.Bind(new IPEndPoint(address, port));
            _listener.Listen(64);
        }
        catch
        {
            _listener.Dispose();
            throw;
        }
        _loop = Task.Run(AcceptAsync);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            if (!_connections.Wait(0))
            {
                client.Dispose();
                continue;
            }
            _ = Task.Run(async () =>
            {
                try
                {
                    await RelayAsync(client).ConfigureAwait(false);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
                {
                    // Either side went away, or the head did not come in time.
                }
                finally
                {
                    client.Dispose();
                    _connections.Release();
                }
            });
        }
    }

    private async Task RelayAsync(Socket client)
    {
        var buffer = new byte[MaxHeadBytes];
        int filled = 0, headEnd;
        using (var headTime = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
        {
            headTime.CancelAfter(HeadTimeout);
            while ((headEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
            {
                if (filled == buffer.Length) return;
                int got = await client.ReceiveAsync(buffer.AsMemory(filled), headTime.Token).ConfigureAwait(false);
                if (got == 0) return;
                filled += got;
            }
        }
        var lines = Encoding.Latin1.GetString(buffer, 0, headEnd).Split("\r\n");
        string? host = lines.Skip(1).Select(Header).FirstOrDefault(h => h.Name.Equals("host", StringComparison.OrdinalIgnoreCase)).Value;
        if (_loopbackHostsOnly && !PreviewServer.IsLoopbackHost(host))
        {
            await client.SendAsync(Refusal("this page answers only to a loopback host name"), _stop.Token).ConfigureAwait(false);
            return;
        }
        var head = new StringBuilder(lines[0]).Append("\r\n");
        foreach (string line in lines.Skip(1))
            if (!HopHeaders.Contains(Header(line).Name)) head.Append(line).Append("\r\n");
        head.Append($"Host: {_page}\r\nConnection: close\r\n\r\n");

        using var page = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await page.ConnectAsync(_page, _stop.Token).ConfigureAwait(false);
        await page.SendAsync(Encoding.Latin1.GetBytes(head.ToString()), _stop.Token).ConfigureAwait(false);
        int bodyStart = headEnd + 4;
        if (filled > bodyStart) await page.SendAsync(buffer.AsMemory(bodyStart, filled - bodyStart), _stop.Token).ConfigureAwait(false);
        // The page answers and closes (Connection: close, or its deadline): then the relay is over, whatever the client still sends.
        var upstream = CopyAsync(client, page, buffer);
        await CopyAsync(page, client, new byte[64 * 1024]).ConfigureAwait(false);
        client.Shutdown(SocketShutdown.Both);
        page.Dispose();
        try
        {
            await upstream.ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    private async Task CopyAsync(Socket from, Socket to, byte[] buffer)
    {
        int got;
        while ((got = await from.ReceiveAsync(buffer, _stop.Token).ConfigureAwait(false)) > 0)
            await to.SendAsync(buffer.AsMemory(0, got), _stop.Token).ConfigureAwait(false);
        to.Shutdown(SocketShutdown.Send);
    }

    private static (string Name, string Value) Header(string line)
    {
        int colon = line.IndexOf(':');
        return colon < 0 ? (line, "") : (line[..colon].Trim(), line[(colon + 1)..].Trim());
    }

    private static byte[] Refusal(string text)
        => Encoding.ASCII.GetBytes($"HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: {text.Length}\r\nConnection: close\r\n\r\n{text}");

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        _loop.Wait(TimeSpan.FromSeconds(2));
    }
}
