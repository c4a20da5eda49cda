using Microsoft.Extensions.Hosting;

namespace MatteKit.Cli.Web;

/// <summary>
/// The host lifetime of the CLI's web servers (live's preview page, serve): the server starts and stops with its
/// command and nothing else. The host's default (ConsoleLifetime) would take SIGINT and SIGTERM too, and stop the
/// server on its own; signals are the CLI's (<see cref="Interruption"/>), which ends the command and with it the server.
/// </summary>
internal sealed class PageLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
