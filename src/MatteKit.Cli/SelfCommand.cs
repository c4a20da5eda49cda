namespace MatteKit.Cli;

/// <summary>
/// This program as another process starts it: its own executable, or <c>dotnet MatteKit.Cli.dll</c> when it was
/// started that way (then the host is dotnet and the program its first argument). For local workers and Slurm jobs.
/// </summary>
internal static class SelfCommand
{
    public static IReadOnlyList<string> Words()
    {
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("the path of this program is unknown");
        return Path.GetFileNameWithoutExtension(host) == "dotnet" ? new[] { host, typeof(SelfCommand).Assembly.Location } : new[] { host };
    }
}
