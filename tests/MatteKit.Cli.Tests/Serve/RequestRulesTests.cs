using System.Net;
using MatteKit.Cli.Web;
using Xunit;

namespace MatteKit.Tests.Serve;

/// <summary>
/// Which Host headers name the server (DNS rebinding): on loopback only loopback names, on a given address only that
/// address, on every interface (which a test cannot bind: loopback only) loopback, this machine's name or its own
/// addresses, never a name someone else's DNS points here.
/// </summary>
public sealed class RequestRulesTests
{
    [Theory]
    [InlineData("127.0.0.1:8080", "127.0.0.1", true)]
    [InlineData("localhost", "127.0.0.1", true)]
    [InlineData("[::1]:8080", "127.0.0.1", true)]
    [InlineData("evil.example:8080", "127.0.0.1", false)]
    [InlineData("10.1.2.3:8080", "10.1.2.3", true)]
    [InlineData("localhost:8080", "10.1.2.3", false)]
    [InlineData("localhost:8080", "0.0.0.0", true)]
    [InlineData("127.0.0.1", "::", true)]
    [InlineData("evil.example:8080", "0.0.0.0", false)]
    [InlineData("203.0.113.9", "0.0.0.0", false)]
    [InlineData("", "0.0.0.0", false)]
    public void AHostHeaderNamesTheServerOrNot(string host, string bound, bool names)
        => Assert.Equal(names, RequestRules.NamesServer(host, IPAddress.Parse(bound)));

    [Fact]
    public void OnEveryInterfaceThisMachinesNameIsTaken()
        => Assert.True(RequestRules.NamesServer($"{Environment.MachineName}:8080", IPAddress.Any));
}
