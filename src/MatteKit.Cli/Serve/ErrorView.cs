namespace MatteKit.Cli.Serve;

/// <summary>A refused request's answer: one line, as the CLI says it for an option.</summary>
internal sealed record ErrorView(string Error);
