namespace MatteKit.Cli.Serve;

/// <summary>The answer to a job accepted (201): its id and status (queued).</summary>
internal sealed record JobCreated(string Id, string Status);
