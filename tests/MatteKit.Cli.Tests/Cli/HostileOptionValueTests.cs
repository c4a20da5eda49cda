using MatteKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace MatteKit.Tests.Cli;

/// <summary>
/// Option values, and files options name, found wrongly refused by a hostile-input pass over convert, plan and live
/// (cases never run before): each is now one line naming the option, or the file, and what is wrong, and nothing
/// written. Each test failed before the fix.
/// </summary>
public sealed class HostileOptionValueTests
{
    private static readonly string SampleClip = Path.Combine(SharedData.RepoRoot, "samples", "astronaut_zoom.mp4");
    private static readonly string SampleImage = Path.Combine(SharedData.RepoRoot, "samples", "astronaut.png");
    private readonly ITestOutputHelper _log;

    public HostileOptionValueTests(ITestOutputHelper log) => _log = log;

    /// <summary>
    /// An empty path (an unset shell variable: <c>--out "$PLAN"</c>) reached the library and came back as .NET's
    /// "The value cannot be an empty string.", naming no option; an empty INPUT as ": no such file or folder".
    /// </summary>
    [Fact]
    public void AnEmptyPathIsRefusedNamingTheOption()
    {
        using var dir = new TempFolder();
        foreach (var (args, expected) in new (string[], string)[]
        {
            (["convert", SampleClip, "--output-alpha", ""], "mattekit: --output-alpha is empty; give --output-alpha <PATH>"),
            (["convert", SampleClip, "--output-alpha", dir.File("a.mp4"), "--weights", ""], "mattekit: --weights is empty; give --weights <PATH>"),
            (["convert", "", "--output-alpha", dir.File("a.mp4")], "mattekit: INPUT is empty; give a file, a folder, - (stdin) or a URL"),
            (["convert", "--input-source", "", "--output-alpha", dir.File("a.mp4")], "mattekit: --input-source is empty; give --input-source <INPUT>"),
            (["plan", SampleClip, "--output-alpha", dir.File("a.mp4"), "--chunk-frames", "10", "--out", ""], "mattekit: --out is empty; give --out <plan.json>"),
            (["export-onnx", "--out", ""], "mattekit: --out is empty; give --out <PATH>"),
        })
        {
            var r = CliRunner.Run(args);
            _log.WriteLine($"mattekit {string.Join(' ', args.Select(a => a.Length == 0 ? "\"\"" : a))}: exit {r.ExitCode}: {r.StdErr.Trim()}");
            Assert.Equal(2, r.ExitCode);
            Assert.Equal(expected, Assert.Single(r.StdErr.Trim().Split('\n')));
        }
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    /// <summary>
    /// A start or duration past what ffmpeg takes (2^63 microseconds) was handed to it and refused in its words,
    /// exit 1, with the number printed in full (309 digits for 1e308).
    /// </summary>
    [Fact]
    public void AStartOrDurationBeyondItsBoundIsAUsageError()
    {
        using var dir = new TempFolder();
        foreach (var (option, value, expected) in new[]
        {
            ("--start", "1e20", "mattekit: --start must be a number of seconds from 0 to 1000000000, got 1E+20"),
            ("--duration", "1e308", "mattekit: --duration must be a positive number of seconds, at most 1000000000, got 1E+308"),
        })
        {
            var r = CliRunner.Run("convert", SampleClip, "--output-alpha", dir.File("a.mp4"), option, value);
            _log.WriteLine($"convert {option} {value}: exit {r.ExitCode}: {r.StdErr.Trim()}");
            Assert.Equal(2, r.ExitCode);
            Assert.Equal(expected, Assert.Single(r.StdErr.Trim().Split('\n')));
        }
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    /// <summary>
    /// A read timeout beyond what a TimeSpan holds was clamped before the library's check, which then refused it
    /// naming another number: <c>--read-timeout 1e15</c> said "got 461168601842.7388 s".
    /// </summary>
    [Fact]
    public void AReadTimeoutBeyondItsBoundIsRefusedAsGiven()
    {
        using var dir = new TempFolder();
        foreach (var (args, value) in new (string[], string)[]
        {
            (["convert", SampleClip, "--output-alpha", dir.File("a.mp4"), "--read-timeout", "1e15"], "1000000000000000"),
            (["live", "udp://127.0.0.1:1", "--output-alpha", dir.File("a.mp4"), "--read-timeout", "1e15"], "1000000000000000"),
            (["convert", SampleClip, "--output-alpha", dir.File("a.mp4"), "--read-timeout", "100000"], "100000"),
        })
        {
            var r = CliRunner.Run(args);
            _log.WriteLine($"mattekit {string.Join(' ', args)}: exit {r.ExitCode}: {r.StdErr.Trim()}");
            Assert.Equal(2, r.ExitCode);
            Assert.Equal($"mattekit: --read-timeout must be positive and at most 86400 s, got {value} s", Assert.Single(r.StdErr.Trim().Split('\n')));
        }
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    /// <summary>
    /// A text file named .png as <c>--background</c> (ffprobe exits 0 on it, with a png stream of 0x0) was refused as
    /// "video stream has no frame size", where the same file as INPUT is "not a PNG file (bad signature)".
    /// </summary>
    [SkippableFact]
    public void ATextFileNamedAsAnImageBackgroundIsSaidNotToBeOne()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        File.WriteAllText(dir.File("fake.png"), "I am text, not a PNG");
        var r = CliRunner.Run("convert", SampleClip, "--frames", "0:2", "--background", dir.File("fake.png"), "--output-composition", dir.File("c.mp4"));
        _log.WriteLine($"convert --background fake.png: exit {r.ExitCode}: {r.StdErr.Trim()}");
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith($"mattekit: {dir.File("fake.png")}: its png stream has no frame size: damaged, or not what its name says (ffprobe: Invalid PNG signature",
            Assert.Single(r.StdErr.Trim().Split('\n')));
        Assert.Equal(["fake.png"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
    }

    /// <summary>
    /// <c>--output-alpha -</c> (stdout, as INPUT - is stdin) wrote a folder of PNG frames named "-", exit 0; an output
    /// under a file (<c>in.mp4/a.mp4</c>) was said to be in a folder that "does not exist".
    /// </summary>
    [Fact]
    public void AnOutputOnStdoutOrUnderAFileIsRefusedSayingWhy()
    {
        using var dir = new TempFolder();
        string input = dir.File("in.mp4");
        File.Copy(SampleClip, input);
        foreach (var (args, exitCode, expected) in new (string[], int, string)[]
        {
            (["convert", input, "--frames", "0:2", "--output-alpha", "-"], 2,
                "mattekit: --output-alpha is -, but a conversion writes files, not stdout: name a file, or a folder for PNG frames"),
            (["plan", input, "--output-composition", "-", "--chunk-frames", "10", "--out", dir.File("plan.json")], 2,
                "mattekit: --output-composition is -, but a conversion writes files, not stdout: name a file, or a folder for PNG frames"),
            (["convert", input, "--frames", "0:2", "--output-alpha", Path.Combine(input, "a.mp4")], 1,
                $"mattekit: {Path.Combine(input, "a.mp4")}: output folder {input} is a file, not a folder"),
        })
        {
            var r = CliRunner.RunIn(dir.Path, args);
            _log.WriteLine($"mattekit {string.Join(' ', args)}: exit {r.ExitCode}: {r.StdErr.Trim()}");
            Assert.Equal(exitCode, r.ExitCode);
            Assert.Equal(expected, Assert.Single(r.StdErr.Trim().Split('\n')));
        }
        Assert.Equal(["in.mp4"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
    }

    /// <summary>
    /// A path of spaces, or with spaces at either end (a quoting mistake), was taken as a name: <c>--output-alpha " "</c>
    /// and <c>compose-dataset --out "  x "</c> made folders named by spaces, exit 0, and a second run said
    /// "mattekit:  : output folder exists and is not empty". Every path option and argument is now refused naming it.
    /// </summary>
    [Fact]
    public void APathOfWhiteSpaceOrPaddedWithItIsRefusedNamingTheOption()
    {
        using var dir = new TempFolder();
        foreach (var (args, expected) in new (string[], string)[]
        {
            (["convert", SampleClip, "--output-type", "png_sequence", "--output-alpha", " "], "mattekit: --output-alpha is only white space (\" \"); give --output-alpha <PATH>"),
            (["convert", SampleClip, "--output-type", "png_sequence", "--output-alpha", "  x "], "mattekit: --output-alpha \"  x \" starts or ends with white space (a quoting mistake?); give it without"),
            (["compose-dataset", "--foregrounds", dir.Path, "--backgrounds", dir.Path, "--out", " "], "mattekit: --out is only white space (\" \"); give --out <DIR>"),
            (["compose-dataset", "--foregrounds", dir.Path, "--backgrounds", dir.Path, "--out", "  x "], "mattekit: --out \"  x \" starts or ends with white space (a quoting mistake?); give it without"),
            (["convert", " ", "--output-alpha", "a.mp4"], "mattekit: INPUT is only white space (\" \"); give a file, a folder, - (stdin) or a URL"),
            (["convert", SampleClip + " ", "--output-alpha", "a.mp4"], $"mattekit: INPUT \"{SampleClip} \" starts or ends with white space (a quoting mistake?); give it without"),
            (["chunk", "\tplan.json", "--index", "0"], "mattekit: PLAN \"?plan.json\" starts or ends with white space (a quoting mistake?); give it without"),
            (["live", "udp://127.0.0.1:1", "--output", " a.mp4"], "mattekit: --output \" a.mp4\" starts or ends with white space (a quoting mistake?); give it without"),
        })
        {
            var r = CliRunner.RunIn(dir.Path, args);
            _log.WriteLine($"mattekit {string.Join(' ', args.Select(a => $"'{a}'"))}: exit {r.ExitCode}: {r.StdErr.Trim()}");
            Assert.Equal(2, r.ExitCode);
            Assert.Equal(expected, Assert.Single(r.StdErr.Trim().Split('\n')));
        }
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    /// <summary>
    /// A file really named with white space at its end (<c>"a.png "</c>) could not be given at all: refused as a quoting
    /// mistake and told to give it without the space it has (review). A path that is read is now taken when something
    /// is there by that name; an output named so is still refused (it would make a file no one can tell apart), even
    /// beside that input, and a padded input that is not there still is.
    /// </summary>
    [SkippableFact]
    public void AnExistingInputNamedWithWhiteSpaceAtItsEndIsReadButAPaddedOutputIsStillRefused()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        // Read as the image it is (AnImageNamedWithWhiteSpaceAtItsEndIsMattedAsTheImageItIs).
        File.Copy(Path.Combine(SharedData.RepoRoot, "samples", "astronaut.png"), dir.File("a.png "));
        var r = CliRunner.RunIn(dir.Path, "convert", "a.png ", "--output-alpha", "pha.mp4", "--threads", "2");
        _log.WriteLine($"convert 'a.png ': exit {r.ExitCode}: {r.StdErr.Trim()}");
        Assert.Equal(0, r.ExitCode);
        Assert.True(new FileInfo(dir.File("pha.mp4")).Length > 0);

        foreach (var (args, expected) in new (string[], string)[]
        {
            (["convert", "a.png ", "--output-alpha", "b.png "], "mattekit: --output-alpha \"b.png \" starts or ends with white space (a quoting mistake?); give it without"),
            // There by that name: an output is refused all the same, never overwritten.
            (["convert", "pha.mp4", "--output-alpha", "a.png "], "mattekit: --output-alpha \"a.png \" starts or ends with white space (a quoting mistake?); give it without"),
            (["convert", "b.png ", "--output-alpha", "c.png"], "mattekit: INPUT \"b.png \" starts or ends with white space (a quoting mistake?); give it without"),
        })
        {
            var refused = CliRunner.RunIn(dir.Path, args);
            _log.WriteLine($"mattekit {string.Join(' ', args.Select(a => $"'{a}'"))}: exit {refused.ExitCode}: {refused.StdErr.Trim()}");
            Assert.Equal(2, refused.ExitCode);
            Assert.Equal(expected, Assert.Single(refused.StdErr.Trim().Split('\n')));
        }
        Assert.Equal(["a.png ", "pha.mp4"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName).Order());
    }

    /// <summary>
    /// A file really named with white space at its end is read (above), but its kind was decided by its extension as
    /// written, ".png ", which is no image's: <c>convert "a.png " --output-alpha out.png</c> took it for a video and
    /// refused the .png output as needing "a single image input" (exit 1), and a FIFO named <c>"fifo.png "</c> as
    /// <c>--background</c> was probed as a video until the read timeout, where <c>fifo.png</c> is refused at once as
    /// no image. The extension that decides an input's kind is now taken without the white space at its ends.
    /// </summary>
    [SkippableFact]
    public void AnImageNamedWithWhiteSpaceAtItsEndIsMattedAsTheImageItIs()
    {
        MediaTools.SkipIfMissing();
        Skip.IfNot(OperatingSystem.IsLinux(), "uses mkfifo");
        using var dir = new TempFolder();
        File.Copy(SampleImage, dir.File("a.png "));
        File.Copy(SampleImage, dir.File("bg.png "));
        var r = CliRunner.RunIn(dir.Path, "convert", "a.png ", "--background", "bg.png ", "--output-alpha", "out.png", "--output-composition", "c.png",
            "--threads", "2", "--quiet");
        _log.WriteLine($"convert 'a.png ' --background 'bg.png ' --output-alpha out.png: exit {r.ExitCode}: {r.StdErr.Trim()}");
        Assert.True(r.ExitCode == 0, r.StdErr);
        var matte = MatteKit.Media.PngFile.ReadGray(dir.File("out.png"));
        var image = MatteKit.Media.PngFile.ReadRgb(SampleImage);
        Assert.Equal((image.Width, image.Height), (matte.Width, matte.Height));
        Assert.True(File.Exists(dir.File("c.png")));

        // ArgumentList: Process.Start's one argument string would split the space off the name.
        using (var mkfifo = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("mkfifo") { ArgumentList = { dir.File("fifo.png ") } })!)
            mkfifo.WaitForExit();
        var fifo = CliRunner.RunIn(dir.Path, "convert", "a.png ", "--background", "fifo.png ", "--output-composition", "d.png", "--read-timeout", "3");
        _log.WriteLine($"convert 'a.png ' --background 'fifo.png ' (a FIFO): exit {fifo.ExitCode}: {fifo.StdErr.Trim()}");
        Assert.Equal(1, fifo.ExitCode);
        Assert.Equal("mattekit: fifo.png : is a FIFO (named pipe), not a background image; only regular files are read",
            Assert.Single(fifo.StdErr.Trim().Split('\n')));
        Assert.Equal(["a.png ", "bg.png ", "c.png", "fifo.png ", "out.png"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// <c>--background</c> is a colour or a file, and its text had no rule on white space: a padded name of nothing
    /// there (<c>"nope.png "</c>) or a padded colour (<c>"green "</c>) was "not green, black, ... or an existing image or
    /// video file", exit 1, naming no option, where a padded INPUT of nothing there is a usage error saying why. It
    /// now takes INPUT's rule: padded, it is read only when a file of that name is there (as above).
    /// </summary>
    [Fact]
    public void APaddedBackgroundOfNothingThereIsAUsageErrorAsAPaddedInputIs()
    {
        using var dir = new TempFolder();
        foreach (var (background, expected) in new[]
        {
            ("nope.png ", "mattekit: --background \"nope.png \" starts or ends with white space (a quoting mistake?); give it without"),
            ("green ", "mattekit: --background \"green \" starts or ends with white space (a quoting mistake?); give it without"),
            (" #00ff00", "mattekit: --background \" #00ff00\" starts or ends with white space (a quoting mistake?); give it without"),
        })
        {
            var r = CliRunner.RunIn(dir.Path, "convert", SampleImage, "--background", background, "--output-composition", "c.png");
            _log.WriteLine($"convert --background '{background}': exit {r.ExitCode}: {r.StdErr.Trim()}");
            Assert.Equal(2, r.ExitCode);
            Assert.Equal(expected, Assert.Single(r.StdErr.Trim().Split('\n')));
        }
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    /// <summary>
    /// The same for weights, whose kind is their extension too: an existing <c>--weights "s.tflite "</c> with
    /// <c>--model selfie</c> was refused as no .tflite model (exit 2), and <c>--weights "r.onnx "</c> was read as weights,
    /// "unknown weights format" (exit 1), where the same files without the space are matted with.
    /// </summary>
    [SkippableFact]
    public void WeightsNamedWithWhiteSpaceAtTheirEndAreReadAsWhatTheyAre()
    {
        MediaTools.SkipIfMissing();
        var onnx = SharedData.Path("models", "rvm_mobilenetv3_fp32.onnx");
        SharedData.SkipIfMissing(onnx);
        using var dir = new TempFolder();
        File.Copy(Path.Combine(SharedData.RepoRoot, "models", "mediapipe_selfie", "selfie_segmentation.tflite"), dir.File("s.tflite "));
        File.CreateSymbolicLink(dir.File("r.onnx "), onnx);
        foreach (var (output, args) in new (string, string[])[]
        {
            ("selfie.png", ["--model", "selfie", "--weights", "s.tflite "]),
            ("onnx.png", ["--weights", "r.onnx ", "--threads", "2"]),
        })
        {
            var r = CliRunner.RunIn(dir.Path, ["convert", SampleImage, "--output-alpha", output, "--quiet", .. args]);
            _log.WriteLine($"convert --output-alpha {output} {string.Join(' ', args.Select(a => $"'{a}'"))}: exit {r.ExitCode}: {r.StdErr.Trim()}");
            Assert.True(r.ExitCode == 0, r.StdErr);
            Assert.True(new FileInfo(dir.File(output)).Length > 0);
        }
    }

    /// <summary>
    /// And for compose-dataset's backgrounds: an existing <c>--backgrounds "bg.png "</c> was "neither an image nor a
    /// video" (exit 1).
    /// </summary>
    [SkippableFact]
    public void ADatasetBackgroundNamedWithWhiteSpaceAtItsEndIsTheImageItIs()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        var cutout = Directory.CreateDirectory(dir.File(Path.Combine("fg", "person"))).FullName;
        MatteKit.Media.PngFile.WriteRgb(Path.Combine(cutout, "image.png"), 32, 48, Enumerable.Repeat((byte)200, 32 * 48 * 3).ToArray());
        MatteKit.Media.PngFile.WriteGray(Path.Combine(cutout, "alpha.png"), 32, 48, Enumerable.Range(0, 32 * 48).Select(i => (byte)(i % 32 is > 8 and < 24 ? 255 : 0)).ToArray());
        File.Copy(SampleImage, dir.File("bg.png "));
        var r = CliRunner.RunIn(dir.Path, "compose-dataset", "--foregrounds", "fg", "--backgrounds", "bg.png ", "--out", "ds", "--size", "64x36", "--frames", "1", "--quiet");
        _log.WriteLine($"compose-dataset --backgrounds 'bg.png ': exit {r.ExitCode}: {r.StdErr.Trim()}");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.NotEmpty(Directory.GetFiles(dir.File("ds"), "*.png", SearchOption.AllDirectories));
    }

    /// <summary>
    /// A new PNG folder named with a trailing slash (<c>--output-alpha frames/</c>) was said to be in a folder that
    /// "does not exist" (its own name, exit 1), while <c>frames</c> was made: .NET takes <c>frames/</c>'s folder to be itself.
    /// </summary>
    [SkippableFact]
    public void ANewOutputFolderNamedWithATrailingSlashIsMade()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        foreach (var name in new[] { "frames/", "plain" })
        {
            var r = CliRunner.RunIn(dir.Path, "convert", SampleClip, "--frames", "0:2", "--output-type", "png_sequence", "--output-alpha", name, "--quiet");
            _log.WriteLine($"--output-alpha {name}: exit {r.ExitCode}: {r.StdErr.Trim()}");
            Assert.True(r.ExitCode == 0, r.StdErr);
            Assert.Equal(2, Directory.GetFiles(Path.Combine(dir.Path, name.TrimEnd('/')), "*.png").Length);
        }
        // An output file so named names a folder: said so, where it too was "output folder plan.json does not exist".
        var plan = CliRunner.RunIn(dir.Path, "plan", SampleClip, "--output-alpha", "a.mp4", "--chunk-frames", "10", "--out", "plan.json/");
        _log.WriteLine($"plan --out plan.json/: exit {plan.ExitCode}: {plan.StdErr.Trim()}");
        Assert.Equal(2, plan.ExitCode);
        Assert.Equal("mattekit: --out plan.json/: ends in a path separator, so it names a folder; an output file needs a file name",
            Assert.Single(plan.StdErr.Trim().Split('\n')));
        Assert.Equal(["frames", "plain"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName).Order());
    }

    /// <summary>
    /// An output named with up to 255 bytes, the most a file name may have: its temporary name adds ".partial-PID-GUID"
    /// (about 50 bytes), so a name of more than about 205 bytes (<c>--output-alpha</c> of 120 é and .png, 244 bytes)
    /// was refused, "cannot write here (The path ... is too long)", exit 1, though the name is a file's. The temporary
    /// name is kept within the limit; the output is written under the name given.
    /// </summary>
    [SkippableFact]
    public void AnOutputWithALongButLegalNameIsWritten()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        foreach (var name in new[] { new string('é', 120) + ".png", new string('a', 240) + ".png", new string('b', 250) + ".mp4" })
        {
            var r = CliRunner.RunIn(dir.Path, "convert", name.EndsWith(".png") ? SampleImage : SampleClip, "--frames", "0:2", "--input-resize", "64x64", "--output-alpha", name);
            _log.WriteLine($"--output-alpha of {System.Text.Encoding.UTF8.GetByteCount(name)} bytes: exit {r.ExitCode}: {r.StdErr.Trim()}");
            Assert.Equal(0, r.ExitCode);
            Assert.True(File.Exists(dir.File(name)));
        }
        Assert.Equal(3, Directory.GetFileSystemEntries(dir.Path).Length);
    }

    /// <summary>
    /// The same with <c>--workers</c>: the plan left beside the output is named <c>.NAME.mattekit-plan.json</c>, its
    /// segments <c>.NAME.mattekit-plan.segments</c>, 24 bytes more than NAME, so a 240-byte output name failed before any
    /// work ("path too long", exit 1). Their names are kept within the limit as the temporaries' are.
    /// </summary>
    [SkippableFact]
    public void AnOutputWithALongButLegalNameIsWrittenByWorkers()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        string name = new string('w', 236) + ".mp4";
        var r = CliRunner.RunIn(dir.Path, "convert", SampleClip, "--input-resize", "64x64", "--workers", "2", "--chunk-frames", "15", "--output-alpha", name);
        _log.WriteLine($"--workers 2 --output-alpha of {name.Length} bytes: exit {r.ExitCode}: {r.StdErr.Trim()}");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(30, MediaTools.Video(dir.File(name)).Frames);
        // The plan is removed when its run is complete, its segments folder too.
        Assert.Equal([dir.File(name)], Directory.GetFileSystemEntries(dir.Path));
    }

    /// <summary>
    /// A plan named with a legal but long name (<c>plan --out</c> of 252 bytes): its segments folder, named after it with
    /// ".segments" for ".json", had 256 bytes, and the plan failed ("path too long", exit 1). The folder's name is kept
    /// within the limit, as the temporaries' are, and chunk and join find it.
    /// </summary>
    [SkippableFact]
    public void APlanWithALongButLegalNameHasItsSegments()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        string plan = dir.File(new string('p', 247) + ".json");
        var r = CliRunner.Run("plan", SampleClip, "--input-resize", "64x64", "--output-alpha", dir.File("a.mp4"), "--chunk-frames", "30", "--out", plan);
        _log.WriteLine($"plan --out of {Path.GetFileName(plan).Length} bytes: exit {r.ExitCode}: {r.StdErr.Trim()}");
        Assert.Equal(0, r.ExitCode);
        var chunk = CliRunner.Run("chunk", plan, "--index", "0");
        _log.WriteLine($"chunk: exit {chunk.ExitCode}: {chunk.StdErr.Trim()}");
        Assert.Equal(0, chunk.ExitCode);
        var join = CliRunner.Run("join", plan);
        _log.WriteLine($"join: exit {join.ExitCode}: {join.StdErr.Trim()}");
        Assert.Equal(0, join.ExitCode);
        Assert.Equal(30, MediaTools.Video(dir.File("a.mp4")).Frames);
    }

    /// <summary>
    /// A trailing slash on an output that is one file escaped the refusal of a file name ending in a separator: convert
    /// leaves folders to its outputs (a folder of PNG frames), and "o.png/" has no extension, so
    /// <c>convert img.png --output-alpha o.png/</c> made a folder of frames named o.png (exit 0), as did an .mp4 so
    /// named, and <c>--output-type video</c> said "needs a video extension" (exit 1) after the input was opened. An
    /// output whose name, less the slash, is a video or a single .png (or any name with <c>--output-type video</c>) is
    /// now a usage error naming the option, before any work; a folder of frames so named is still made (above).
    /// </summary>
    [Fact]
    public void AFileOutputNamedWithATrailingSlashIsAUsageError()
    {
        using var dir = new TempFolder();
        const string namesAFolder = "ends in a path separator, so it names a folder; an output file needs a file name";
        // Where the output's type is left to its name, a folder of frames so named could be meant.
        const string orFrames = namesAFolder + "; for a folder of frames so named, give --output-type png_sequence";
        foreach (var (args, expected) in new (string[], string)[]
        {
            (["convert", SampleImage, "--output-alpha", "o.png/"], $"mattekit: --output-alpha o.png/: {orFrames}"),
            (["convert", SampleClip, "--frames", "0:2", "--output-composition", "o.mp4/", "--output-type", "video"], $"mattekit: --output-composition o.mp4/: {namesAFolder}"),
            (["convert", SampleClip, "--frames", "0:2", "--output-foreground", "o.mp4/"], $"mattekit: --output-foreground o.mp4/: {orFrames}"),
            (["convert", SampleClip, "--frames", "0:2", "--output-alpha", "frames/", "--output-type", "video"], $"mattekit: --output-alpha frames/: {namesAFolder}"),
            (["plan", SampleClip, "--output-alpha", "o.webm/", "--chunk-frames", "10", "--out", "plan.json"], $"mattekit: --output-alpha o.webm/: {orFrames}"),
            // More than one separator at the end: only one was taken off for the name's kind, so "o.png//" had no
            // extension and made a folder of frames named o.png (exit 0).
            (["convert", SampleImage, "--output-alpha", "o.png//"], $"mattekit: --output-alpha o.png//: {orFrames}"),
            (["convert", SampleClip, "--frames", "0:2", "--output-foreground", "o.mp4//"], $"mattekit: --output-foreground o.mp4//: {orFrames}"),
        })
        {
            var r = CliRunner.RunIn(dir.Path, args);
            _log.WriteLine($"mattekit {string.Join(' ', args)}: exit {r.ExitCode}: {r.StdErr.Trim()}");
            Assert.Equal(2, r.ExitCode);
            Assert.Equal(expected, Assert.Single(r.StdErr.Trim().Split('\n')));
        }
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }
}
