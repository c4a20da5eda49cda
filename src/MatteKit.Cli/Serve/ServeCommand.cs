using System.CommandLine;
using System.Net;
using MatteKit.Jobs;

namespace MatteKit.Cli.Serve;

/// <summary>
/// <c>mattekit serve</c>: matting jobs over HTTP (<see cref="JobServer"/> in front of a <see cref="JobRunner"/>) until
/// a signal; then every job is cancelled, every job's files removed, and the exit code is 130. Loopback unless an
/// address is given, and off loopback only with a token.
/// </summary>
internal static class ServeCommand
{
    /// <summary>The shortest token taken: 16 characters (a guessable one would open the machine's CPU and disk to anyone).</summary>
    private const int MinTokenLength = 16;

    /// <summary>The longest token taken: the page's links carry it as <c>?token=</c>, and 10 KB made them too long to serve (414).</summary>
    private const int MaxTokenLength = 256;

    /// <summary>
    /// What a token may hold: URL-safe characters, which every link carries as they are (RFC 3986's unreserved ones).
    /// &amp; split the page's query, # cut it, % and + were decoded to something else, and white space and control
    /// characters are quoting mistakes.
    /// </summary>
    private static readonly System.Buffers.SearchValues<char> TokenCharacters =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-");

    private static readonly string TokenRule = $"--token must be {MinTokenLength} to {MaxTokenLength} characters, each a letter A-Z or a-z, a digit or one of . _ ~ - " +
                                     "(URL-safe: the page's links carry it as ?token=)";

    private static readonly Option<IPAddress?> Address = OptionValues.Parsed<IPAddress?>("--address",
        "the address to listen on (default 127.0.0.1; 0.0.0.0 or :: for every interface, which needs --token)", "ADDR",
        text => text == "localhost" ? IPAddress.Loopback
            : IPAddress.TryParse(text.Trim('[', ']'), out var ip) ? ip
            : throw new UsageException($"--address: '{text}' is not an IP address (give 127.0.0.1, 0.0.0.0 or this machine's address)"));

    private static readonly Option<int?> Port = OptionValues.WholeNumber("--port", "the port (default 8080; 0 = any free one, printed at start)", 0);

    private static readonly Option<string?> Data = OptionValues.Path("--data",
        "the folder of the jobs' files (default: mattekit/serve in the user's cache folder); emptied of what an earlier serve left, " +
        "and removed job by job", "DIR");

    // Not a path option: the path rule quotes a refused value, and a secret must never reach stderr (TokenProblem never does).
    private static readonly Option<string?> Token = TokenOption();

    private static Option<string?> TokenOption()
    {
        var option = new Option<string?>("--token")
        {
            Description = $"a secret of {MinTokenLength} to {MaxTokenLength} characters A-Z a-z 0-9 . _ ~ - that every request must carry " +
                          "(Authorization: Bearer TOKEN, or ?token=TOKEN); needed off loopback",
            HelpName = "TOKEN",
        };
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
                if (TokenProblem(token.Value) is { } problem)
                {
                    result.AddError(problem);
                    return;
                }
        });
        return option;
    }

    /// <summary>The one rule on a token, said without the token (shell history, CI logs); null when it is taken.</summary>
    internal static string? TokenProblem(string token)
        => token.Length is < MinTokenLength or > MaxTokenLength ? $"{TokenRule}; got {token.Length} characters"
            : token.AsSpan().IndexOfAnyExcept(TokenCharacters) >= 0 ? $"{TokenRule}; it holds another character"
            : null;

    private static readonly Option<int?> MaxUploadMb = OptionValues.WholeNumber("--max-upload-mb",
        "the largest upload taken, in MB (default 2048); larger ones get 413 and leave nothing on disk", 1);

    private static readonly Option<int?> Jobs = OptionValues.WholeNumber("--jobs", "jobs converted at the same time (default 1)", 1);

    private static readonly Option<int?> MaxQueued = OptionValues.WholeNumber("--max-queued",
        "jobs waiting beyond those running (default 16); one more gets 429", 0);

    public static Command Build(CancellationToken cancel)
    {
        var command = new Command("serve", "matting jobs over HTTP: a JSON API (described at /api/openapi.json) and a page at /")
        {
            Address, Port, Data, Token, MaxUploadMb, Jobs, MaxQueued,
        };
        command.SetAction(parse => Run(parse, cancel));
        return command;
    }

    private static int Run(ParseResult parse, CancellationToken cancel)
    {
        var address = parse.GetValue(Address) ?? IPAddress.Loopback;
        string? token = parse.GetValue(Token);
        if (!IPAddress.IsLoopback(address) && token is null)
            throw new UsageException($"--address {address}: off loopback every request must carry a token; give --token ({MinTokenLength} to {MaxTokenLength} URL-safe characters)");
        int jobs = parse.GetValue(Jobs) ?? 1;
        if (jobs > Environment.ProcessorCount)
            throw new UsageException($"--jobs must be a whole number from 1 to {Environment.ProcessorCount} (the cores present), got {jobs}");
        var settings = new ServeSettings(address, parse.GetValue(Port) ?? 8080, token, (long)(parse.GetValue(MaxUploadMb) ?? 2048) << 20);
        if (settings.Port > 65535) throw new UsageException($"--port must be a whole number from 0 to 65535, got {settings.Port}");
        string folder = Path.GetFullPath(parse.GetValue(Data) ?? CacheFolder.Path("serve")); // the user's cache folder by default

        using var runner = new JobRunner(new JobRunnerOptions
        {
            Folder = folder,
            ConcurrentJobs = jobs,
            MaxQueued = parse.GetValue(MaxQueued) ?? 16,
            DescribeError = ParameterFlags.Say,
        });
        int unfinished;
        using (var server = JobServer.Start(settings, runner))
        {
            string shown = string.Join(" ", server.Urls);
            Console.Error.WriteLine($"mattekit serve: listening at {shown} (jobs in {folder}); Ctrl-C stops it and removes every job");
            cancel.WaitHandle.WaitOne();
            unfinished = runner.Jobs.Count(j => !j.IsFinished);
        }
        runner.Dispose();
        Console.Error.WriteLine($"mattekit: stopped; {unfinished} unfinished job(s) cancelled, every job's files removed");
        return Interruption.ExitCode;
    }
}
