using System.Text.Json;
using MatteKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace MatteKit.Tests.Serve;

/// <summary>
/// A hostile pass over serve's request fields: a downsample ratio that shrinks the input to nothing was taken (201)
/// and failed as a job.
/// </summary>
public sealed class ServeRequestFieldTests
{
    private readonly ITestOutputHelper _log;

    public ServeRequestFieldTests(ITestOutputHelper log) => _log = log;

    private static string Error(string body) => JsonDocument.Parse(body).RootElement.GetProperty("error").GetString()!;

    [SkippableFact]
    public void ARatioThatShrinksTheInputToNothingIsRefusedAtUploadWithConvertsLine()
    {
        MediaTools.SkipIfMissing();
        using var serve = ServeProcess.Start();
        foreach (var (options, flags) in new[]
                 {
                     ("{\"downsample_ratio\": 1e-300, \"outputs\": {\"composition\": \"mp4\"}}", new[] { "--downsample-ratio", "1e-300" }),
                     // Fits the 512x512 input, not the frames --input-resize makes of it.
                     ("{\"downsample_ratio\": 0.01, \"input_resize\": \"64x64\", \"outputs\": {\"composition\": \"mp4\"}}",
                         new[] { "--downsample-ratio", "0.01", "--input-resize", "64x64" }),
                 })
        {
            var (status, body) = serve.Submit(options, ServeProcess.Sample);
            _log.WriteLine($"{options} -> {status} {body}");
            Assert.Equal(400, status);
            var cli = CliRunner.Run(new[] { "convert", ServeProcess.Sample, "--output-composition", serve.Scratch.File("x.mp4"), "--quiet" }.Concat(flags).ToArray());
            _log.WriteLine($"convert: exit {cli.ExitCode}: {cli.StdErr.Trim()}");
            Assert.NotEqual(0, cli.ExitCode);
            Assert.Equal(cli.StdErr.Trim(), $"mattekit: {Error(body)}");
            Assert.Contains("frame to nothing", body);
        }
        Assert.Empty(serve.JobFolders());
    }
}
