using Microsoft.Extensions.Hosting;

namespace MatteKit.Cli.Preview;

/// <summary>
/// The preview page's host lifetime: it starts and stops with <see cref="PreviewServer"/> and nothing else. The
/// host's default (ConsoleLifetime) would take SIGINT and SIGTERM too, and stop the page on its own; signals are the
/// CLI's (<see cref="Interruption"/>), which ends the session and with it the page.
/// </summary>
internal sealed class PageLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
