using MatteKit.CommandLine;
using MatteKit.Conversion;
using MatteKit.Media;
using MatteKit.Tests.TestSupport;
using Xunit;

namespace MatteKit.Tests.Cli;

/// <summary>The one table from the library's parameter names to flags, and what it leaves alone.</summary>
public sealed class ParameterFlagsTests
{
    [Fact]
    public void AnOptionsErrorSpeaksInFlagsWithoutDotNetsParameterSuffix()
    {
        var error = Assert.Throws<ArgumentException>(() => new MattingSettings { DownsampleRatio = 2 }.Validate());
        Assert.Equal("DownsampleRatio", error.ParamName);
        Assert.Equal("--downsample-ratio must be auto or a number in (0, 1], got 2", ParameterFlags.Say(error));
    }

    [Fact]
    public void TwoNamesInOneMessageAreBothMapped()
    {
        var options = new ConvertOptions { Input = "in.mp4", OutputAlpha = "a.mp4", Crf = 20, OutputVideoMbps = 4 };
        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Equal("give either --output-video-mbps or --crf, not both", ParameterFlags.Say(error));
    }

    [Theory]
    [InlineData("/clips/Input/Weights.mp4: holds no frames")]          // a path's parts
    [InlineData("background 'Background' is not green")]               // a quoted value
    [InlineData("Weights.pth: not a PyTorch checkpoint")]              // a file name
    public void NamesInsidePathsAndQuotesAreLeftAlone(string message)
        => Assert.Equal(message, ParameterFlags.Say(new ArgumentException(message)));

    [Fact]
    public void AFilesProblemHasOnlyCompoundNamesMapped()
    {
        // ffmpeg's own words ("Input #0") may follow a file's name: only unmistakable names are rewritten there.
        var error = new MediaFormatException("clip.mp4", "Input #0 sent no frame for 10 s; ReadTimeout sets the limit");
        Assert.Equal("clip.mp4: Input #0 sent no frame for 10 s; --read-timeout sets the limit", ParameterFlags.Say(error));
    }

    [Fact]
    public void AFileNamedLikeAParameterKeepsItsName()
        => Assert.Equal("ReadTimeout: no such file or folder", ParameterFlags.Say(new MediaFormatException("ReadTimeout", "no such file or folder")));

    [Fact]
    public void AFilesErrorCausedByAnOptionSpeaksInFlags()
    {
        var cause = new ArgumentException("Threads must be a whole number from 1 to 2, got 9999", "Threads");
        var error = new MediaFormatException("plan.json", "options.matting.threads is out of bounds: Threads must be a whole number from 1 to 2, got 9999", cause);
        Assert.Equal("plan.json: options.matting.threads is out of bounds: --threads must be a whole number from 1 to 2, got 9999", ParameterFlags.Say(error));
    }

    [SkippableFact]
    public void RatioAutoGivenIsRatioAutoLeftOut()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        string sample = Path.Combine(SharedData.RepoRoot, "samples", "astronaut_zoom.mp4");
        foreach (var (name, ratio) in new[] { ("given", new[] { "--downsample-ratio", "AUTO" }), ("left", Array.Empty<string>()) })
        {
            var r = CliRunner.Run(new[] { "convert", sample, "--output-alpha", dir.File(name), "--duration", "0.2", "--threads", "2", "--quiet" }.Concat(ratio).ToArray());
            Assert.True(r.ExitCode == 0, r.StdErr);
        }
        Assert.Equal(Directory.GetFiles(dir.File("left")).Order().Select(File.ReadAllBytes).SelectMany(b => b), Directory.GetFiles(dir.File("given")).Order().Select(File.ReadAllBytes).SelectMany(b => b));
        var export = CliRunner.Run("export-onnx", "--size", "64x48", "--downsample-ratio", "auto", "--out", dir.File("x.onnx"), "--quiet");
        Assert.True(export.ExitCode == 0, export.StdErr);
    }

    [Fact]
    public void AFilesProblemHasTheOptionsItSaysItNamesMapped()
    {
        var error = new MediaFormatException("Frames.mp4", "holds 30 frame(s); Frames 40:50 starts past its end") { Parameters = ["Frames"] };
        Assert.Equal("Frames.mp4: holds 30 frame(s); --frames 40:50 starts past its end", ParameterFlags.Say(error));
    }

    [Fact]
    public void EveryNameTheOptionsRecordsDeclareHasAFlagOrIsTheLibrarysOwn()
    {
        // Each public property of the records a command line fills has a flag, so that no message shows a property name.
        var records = new[] { typeof(MattingSettings), typeof(ConvertOptions), typeof(PlateMode), typeof(PlateMatterOptions) };
        var libraryOnly = new HashSet<string> { "Matting", "Refinement", "MaxCachedSizes" }; // records and a tuning knob no flag sets
        var missing = records.SelectMany(t => t.GetProperties()).Select(p => p.Name)
            .Where(n => !libraryOnly.Contains(n) && ParameterFlags.For(n) is null && n != "EqualityContract").Distinct().ToList();
        Assert.True(missing.Count == 0, "no flag for: " + string.Join(", ", missing));
    }
}
