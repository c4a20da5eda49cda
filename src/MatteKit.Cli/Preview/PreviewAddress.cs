using System.Globalization;
using System.Net;

namespace MatteKit.Cli.Preview;

/// <summary>
/// Where <c>--preview [ADDR:]PORT</c> listens: loopback (127.0.0.1) unless an address is given explicitly, since
/// the page steers the session and shows the camera.
/// </summary>
internal sealed record PreviewAddress(IPAddress Address, int Port)
{
    public bool IsLoopback => IPAddress.IsLoopback(Address);

    /// <summary>Whether it listens on every interface (0.0.0.0 or ::).</summary>
    public bool IsAnyAddress => Address.Equals(IPAddress.Any) || Address.Equals(IPAddress.IPv6Any);

    /// <summary>
    /// The page's addresses as a browser opens them, <paramref name="token"/> included. On every interface, no
    /// browser opens 0.0.0.0: this machine's loopback address and its name instead.
    /// </summary>
    public IReadOnlyList<string> PageUrls(string token)
    {
        string port = Port.ToString(CultureInfo.InvariantCulture);
        return IsAnyAddress
            ? new[] { $"http://127.0.0.1:{port}/?token={token}", $"http://{Dns.GetHostName()}:{port}/?token={token}" }
            : new[] { $"http://{Host}/?token={token}" };
    }

    /// <summary>host:port as the Host header carries it.</summary>
    public string Host => Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
        ? $"[{Address}]:{Port.ToString(CultureInfo.InvariantCulture)}"
        : $"{Address}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <exception cref="UsageException">Not PORT or ADDR:PORT with a port from 1 to 65535.</exception>
    public static PreviewAddress Parse(string text)
    {
        string address = "127.0.0.1", port = text;
        int colon = text.LastIndexOf(':');
        if (colon >= 0)
        {
            address = text[..colon].Trim('[', ']');
            port = text[(colon + 1)..];
        }
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int number) || number < 1 || number > 65535)
            throw new UsageException($"--preview takes PORT or ADDR:PORT with a port from 1 to 65535, got '{text}'");
        if (!IPAddress.TryParse(address, out var ip))
            throw new UsageException($"--preview: '{address}' is not an IP address (give 127.0.0.1, 0.0.0.0 or this machine's address)");
        return new PreviewAddress(ip, number);
    }
}
