using MatteKit.Conversion;
using MatteKit.Media;
using MatteKit.Tests.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace MatteKit.Tests.Conversion;

/// <summary>
/// A library conversion whose output is one file named with a trailing slash (<c>o.png/</c>, or any name as a video)
/// made a folder of PNG frames of that name; it is refused naming the path, before any frame is matted, as the
/// commands refuse it before any work. A folder of frames so named is still one.
/// </summary>
public sealed class FileOutputNameTests
{
    private static readonly string Sample = Path.Combine(SharedData.RepoRoot, "samples", "astronaut.png");
    private readonly ITestOutputHelper _log;

    public FileOutputNameTests(ITestOutputHelper log) => _log = log;

    [SkippableFact]
    public void AFileOutputNamedWithATrailingSlashIsRefusedAndAFrameFolderSoNamedIsMade()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        var settings = new MattingSettings { Threads = 2, DownsampleRatio = 0.25 };
        foreach (var (output, type) in new[] { ("o.png/", OutputType.Auto), ("o.mp4/", OutputType.Auto), ("frames/", OutputType.Video) })
        {
            var e = Assert.Throws<MediaFormatException>(() => Converter.Run(new ConvertOptions
            {
                Input = Sample, OutputAlpha = dir.File(output), OutputType = type, Matting = settings, Priming = 0,
            }));
            _log.WriteLine($"{output} ({type}): {e.Message}");
            Assert.Equal($"{dir.File(output)}: ends in a path separator, so it names a folder; an output file needs a file name", e.Message);
        }
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));

        Converter.Run(new ConvertOptions { Input = Sample, OutputAlpha = dir.File("frames/"), OutputType = OutputType.PngSequence, Matting = settings, Priming = 0 });
        Assert.Equal(["astronaut.png"], Directory.GetFiles(dir.File("frames")).Select(Path.GetFileName));
    }
}
