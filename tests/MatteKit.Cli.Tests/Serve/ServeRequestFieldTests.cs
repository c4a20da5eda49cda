using System.Text.Json;
using MatteKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace MatteKit.Tests.Serve;

/// <summary>
/// A hostile pass over serve's request fields: a downsample ratio that shrinks the input to nothing was taken (201)
/// and failed as a job; a number sent as a JSON string ("16") was taken.
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

    [SkippableFact]
    public void ANumberSentAsAStringOrAWordAsANumberIsRefusedNamingTheField()
    {
        MediaTools.SkipIfMissing();
        using var serve = ServeProcess.Start();
        foreach (var (options, expected) in new[]
                 {
                     ("{\"bit_depth\": \"16\", \"outputs\": {\"composition\": \"mov\"}}", "bit_depth must be a JSON number, got the string \"16\""),
                     ("{\"threads\": \"1\", \"outputs\": {\"composition\": \"mp4\"}}", "threads must be a JSON number, got the string \"1\""),
                     ("{\"downsample_ratio\": \"0.5\", \"outputs\": {\"composition\": \"mp4\"}}", "downsample_ratio must be a number or \"auto\", got the string \"0.5\""),
                     ("{\"precision\": 8, \"outputs\": {\"composition\": \"mp4\"}}", "precision must be a string, got 8"),
                     ("{\"crf\": true, \"outputs\": {\"composition\": \"mp4\"}}", "crf must be a JSON number, got true"),
                 })
        {
            var (status, body) = serve.Submit(options, ServeProcess.Sample);
            _log.WriteLine($"{options} -> {status} {body}");
            Assert.Equal(400, status);
            Assert.Equal(expected, Error(body));
        }
        Assert.Empty(serve.JobFolders());

        // Numbers as numbers, "auto" and words in any case (as convert takes --precision INT8) are taken.
        var (taken, answer) = serve.Submit("{\"precision\": \"INT8\", \"downsample_ratio\": 0.5, \"bit_depth\": 8, \"duration\": 0.2, \"threads\": 1, " +
                                           "\"outputs\": {\"alpha\": \"mp4\"}}", ServeProcess.Sample);
        _log.WriteLine($"typed as the JSON says: {taken} {answer}");
        Assert.Equal(201, taken);
        var (auto, autoAnswer) = serve.Submit("{\"downsample_ratio\": \"AUTO\", \"duration\": 0.2, \"threads\": 1, \"outputs\": {\"alpha\": \"mp4\"}}", ServeProcess.Sample);
        _log.WriteLine($"AUTO: {auto} {autoAnswer}");
        Assert.Equal(201, auto);
    }
}
