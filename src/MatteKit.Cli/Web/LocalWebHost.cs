using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MatteKit.Cli.Web;

/// <summary>
/// The least of ASP.NET Core that the CLI's web servers (live's preview page, serve) are built on: no configuration
/// read (no appsettings.json nor ASPNETCORE_ variables from wherever mattekit runs), no logging (the CLI prints its
/// own lines), no signal handling (<see cref="Interruption"/>'s); Kestrel, HTTP/1.1 only, with bounds on
/// connections, request heads (size and time), bodies (size and rate) and slow readers of answers.
/// </summary>
internal static class LocalWebHost
{
    /// <summary>A request's line and headers together; a browser sends its cookies for the host (localhost's may be many).</summary>
    private const int MaxHeadBytes = 32 * 1024;

    /// <summary>How long a connection may take to send a request's line and headers; past it Kestrel answers 408 and closes it.</summary>
    private static readonly TimeSpan HeadTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long a connection may wait idle for its next request (a page asks again at once).</summary>
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Stops <paramref name="app"/> at once, cutting off the requests still open, and disposes it.</summary>
    public static void StopNow(WebApplication app)
    {
        using var now = new CancellationTokenSource();
        now.Cancel();
        try
        {
            app.StopAsync(now.Token).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is OperationCanceledException or AggregateException or InvalidOperationException)
        {
            // Not started (a failed start), or requests cut off on the way out.
        }
        app.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <param name="address">Where to listen; [::] takes IPv4 connections too (Kestrel listens dual-mode there).</param>
    /// <param name="port">The port; 0 = one the system picks (the started server's addresses say which).</param>
    /// <param name="maxConnections">Connections open at once, idle or not; more are closed.</param>
    /// <param name="maxBodyBytes">The largest body any endpoint takes; each may lower it before reading.</param>
    public static WebApplicationBuilder CreateBuilder(IPAddress address, int port, int maxConnections, long maxBodyBytes)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            var limits = kestrel.Limits;
            limits.MaxConcurrentConnections = maxConnections;
            limits.MaxConcurrentUpgradedConnections = 0;
            limits.MaxRequestHeadersTotalSize = MaxHeadBytes;
            limits.MaxRequestLineSize = 8 * 1024;
            limits.RequestHeadersTimeout = HeadTimeout;
            limits.KeepAliveTimeout = IdleTimeout;
            limits.MaxRequestBodySize = maxBodyBytes;
            // A body (or a reader of the answer) slower than 240 bytes a second after 5 s is cut off with 408.
            limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));
            limits.MinResponseDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));
            kestrel.Listen(address, port, listen => listen.Protocols = HttpProtocols.Http1);
        });
        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton<IHostLifetime, PageLifetime>();
        return builder;
    }
}
