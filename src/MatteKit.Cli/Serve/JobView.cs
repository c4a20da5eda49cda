namespace MatteKit.Cli.Serve;

/// <summary>A job as the API shows it (snake_case JSON): <c>status</c> is queued, running, done, failed or cancelled.</summary>
/// <param name="Id">The job's id (32 hexadecimal digits).</param>
/// <param name="Status">queued, running, done, failed or cancelled.</param>
/// <param name="Progress">Frames done and expected, the rate and the time left.</param>
/// <param name="Outputs">Once done: each output's role (composition, alpha, foreground, segmentation) and its URL.</param>
/// <param name="Preview">The URL of the input's first frame as PNG.</param>
/// <param name="Error">Why a failed job failed, in one line.</param>
/// <param name="Created">When the job was made.</param>
/// <param name="Finished">When it ended (done, failed or cancelled).</param>
internal sealed record JobView(string Id, string Status, ProgressView Progress, IReadOnlyDictionary<string, string> Outputs, string Preview,
    string? Error, DateTimeOffset Created, DateTimeOffset? Finished);
