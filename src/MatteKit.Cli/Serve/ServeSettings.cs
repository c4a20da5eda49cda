using System.Net;

namespace MatteKit.Cli.Serve;

/// <summary>Where <c>mattekit serve</c> listens and what it takes.</summary>
/// <param name="Address">The address listened on (loopback unless given).</param>
/// <param name="Port">The port; 0 = one the system picks.</param>
/// <param name="Token">The secret every request must carry (header <c>Authorization: Bearer T</c> or <c>?token=T</c>); null = none (loopback only).</param>
/// <param name="MaxUploadBytes">The largest input (and background image) a job may upload.</param>
internal sealed record ServeSettings(IPAddress Address, int Port, string? Token, long MaxUploadBytes);
