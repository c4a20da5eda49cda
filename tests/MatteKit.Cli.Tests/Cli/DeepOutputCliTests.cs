using MatteKit.Media;
using MatteKit.Tests.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace MatteKit.Tests.Cli;

/// <summary>
/// <c>--bit-depth 16</c>, <c>--output-type exr_sequence</c> and <c>--alpha-mode</c> as a user runs them, checked by
/// ffprobe, ffmpeg and OpenCV: the float survives (more than 256 levels along soft edges, and on the shared synthetic
/// clip a 16-bit alpha at least as close to the truth as the 8-bit one, MAD printed), ProRes 4444 carries a deep
/// alpha, EXR frames read the same in two readers, premultiplied RGBA is the straight one times alpha, and what cannot
/// be is one line before anything is written.
/// </summary>
public sealed class DeepOutputCliTests
{
    private static readonly string Sample = Path.Combine(SharedData.RepoRoot, "samples", "astronaut.png");
    private static readonly string Clip = Path.Combine(SharedData.RepoRoot, "samples", "astronaut_zoom.mp4");
    private readonly ITestOutputHelper _log;

    public DeepOutputCliTests(ITestOutputHelper log) => _log = log;

    [SkippableFact]
    public void SixteenBitAlphaKeepsTheFloatOnTheSyntheticClip()
    {
        var clip = SharedData.Path("media", "synthetic", "hair_over_campus_512x288");
        SharedData.SkipIfMissing(clip);
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        const int frames = 6, w = 512, h = 288;
        var deep = CliRunner.Run("convert", Path.Combine(clip, "com"), "--output-alpha", dir.File("a16"), "--bit-depth", "16", "--frames", $"0:{frames}", "--threads", "2");
        Assert.True(deep.ExitCode == 0, deep.StdErr);
        var shallow = CliRunner.Run("convert", Path.Combine(clip, "com"), "--output-alpha", dir.File("a8"), "--frames", $"0:{frames}", "--threads", "2");
        Assert.True(shallow.ExitCode == 0, shallow.StdErr);
        double mad16 = 0, mad8 = 0;
        int fewestLevels = int.MaxValue;
        for (int i = 0; i < frames; i++)
        {
            string name = $"{i:D4}.png";
            Assert.Equal("gray16be", MediaTools.Video(Path.Combine(dir.File("a16"), name)).PixelFormat);
            var a16 = MediaTools.Decode16(Path.Combine(dir.File("a16"), name), "gray16le");
            var a8 = PngFile.ReadGray(Path.Combine(dir.File("a8"), name)).Pixels;
            var truth = PngFile.ReadGray(Path.Combine(clip, "pha", name)).Pixels;
            Assert.Equal(w * h, a16.Length);
            for (int p = 0; p < truth.Length; p++)
            {
                mad16 += Math.Abs(a16[p] / 65535.0 - truth[p] / 255.0);
                mad8 += Math.Abs(a8[p] / 255.0 - truth[p] / 255.0);
                // The 16-bit output is the 8-bit one before rounding (both rounded from one float: within half a level and
                // the 16-bit rounding, 1/257 of a level).
                Assert.True(Math.Abs(a16[p] / 257.0 - a8[p]) <= 0.5 + 1.0 / 257, $"frame {i} pixel {p}: 16-bit {a16[p]} is not 8-bit {a8[p]} unrounded");
            }
            fewestLevels = Math.Min(fewestLevels, a16.Where(v => v is > 0 and < 65535).Distinct().Count());
        }
        mad16 /= frames * w * h;
        mad8 /= frames * w * h;
        _log.WriteLine($"hair_over_campus frames 0-{frames - 1}: MAD x 1e3 against the truth: 16-bit {mad16 * 1e3:0.00000}, 8-bit {mad8 * 1e3:0.00000}; " +
                       $"at least {fewestLevels} distinct soft levels a frame in 16 bits");
        Assert.True(fewestLevels > 256, $"only {fewestLevels} soft levels");
        Assert.True(mad16 <= mad8, $"16-bit MAD {mad16} is above the 8-bit {mad8}");
    }

    [SkippableFact]
    public void ProResFourFourFourFourCarriesADeepAlpha()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        var mov = dir.File("com.mov");
        var r = CliRunner.Run("convert", Clip, "--output-composition", mov, "--background", "transparent", "--bit-depth", "16", "--frames", "0:3", "--threads", "2");
        Assert.True(r.ExitCode == 0, r.StdErr);
        var video = MediaTools.Video(mov);
        _log.WriteLine($"{video.Codec} {video.PixelFormat}, {video.Frames} frames");
        Assert.Equal("prores", video.Codec);
        Assert.Equal("yuva444p12le", video.PixelFormat);
        // Tagged as the input's colour (an untagged 512x512 clip: BT.601 as SMPTE 170M, tv range), as 8-bit video is.
        Assert.Equal(("smpte170m", "tv", "smpte170m", "smpte170m"), MediaTools.ColorTags(mov));
        var rgba = MediaTools.Decode16(mov, "rgba64le");
        int levels = Enumerable.Range(0, rgba.Length / 4).Select(i => rgba[4 * i + 3]).Where(v => v is > 0 and < 65535).Distinct().Count();
        _log.WriteLine($"distinct soft alpha levels in frame 0: {levels}");
        Assert.True(levels > 256, $"only {levels} soft alpha levels");
    }

    [SkippableFact]
    public void ExrFramesReadTheSameInFfmpegAndOpenCv()
    {
        MediaTools.SkipIfMissing();
        OpenCvReader.SkipIfMissing();
        using var dir = new TempFolder();
        var r = CliRunner.Run("convert", Clip, "--output-alpha", dir.File("pha"), "--output-composition", dir.File("com"), "--output-type", "exr_sequence",
            "--frames", "0:2", "--threads", "2");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Equal(new[] { "0000.exr", "0001.exr" }, Directory.GetFiles(dir.File("pha")).Select(Path.GetFileName).Order());
        var frame = Path.Combine(dir.File("com"), "0001.exr");
        var info = MediaTools.Video(frame);
        Assert.Equal(("exr", "gbrpf32le"), (info.Codec, info.PixelFormat));
        var planes = MediaTools.DecodeFloatPlanes(frame, "gbrpf32le", info.Width, info.Height);
        var (values, channels) = OpenCvReader.ReadFloat(frame);
        Assert.Equal(3, channels);
        int pixels = info.Width * info.Height;
        for (int i = 0; i < pixels; i++)
        {
            // OpenCV: B, G, R; ffmpeg: G, B, R planes.
            Assert.Equal(planes[1][i], values[3 * i]);
            Assert.Equal(planes[0][i], values[3 * i + 1]);
            Assert.Equal(planes[2][i], values[3 * i + 2]);
        }
        var alpha = Path.Combine(dir.File("pha"), "0000.exr");
        Assert.Equal("grayf32le", MediaTools.Video(alpha).PixelFormat);
        Assert.Equal(MediaTools.DecodeFloatPlanes(alpha, "grayf32le", info.Width, info.Height)[0], OpenCvReader.ReadFloat(alpha).Values);
    }

    [Fact]
    public void PremultipliedRgbaIsTheStraightOneTimesAlpha()
    {
        using var dir = new TempFolder();
        var straight = CliRunner.Run("convert", Sample, "--output-composition", dir.File("straight.png"), "--background", "transparent", "--threads", "2");
        Assert.True(straight.ExitCode == 0, straight.StdErr);
        var premultiplied = CliRunner.Run("convert", Sample, "--output-composition", dir.File("pre.png"), "--background", "transparent",
            "--alpha-mode", "premultiplied", "--threads", "2");
        Assert.True(premultiplied.ExitCode == 0, premultiplied.StdErr);
        var s = PngFile.ReadRgba(dir.File("straight.png")).Pixels;
        var p = PngFile.ReadRgba(dir.File("pre.png")).Pixels;
        int soft = 0;
        for (int i = 0; i < s.Length; i += 4)
        {
            Assert.Equal(s[i + 3], p[i + 3]);
            for (int c = 0; c < 3; c++) Assert.Equal((s[i + c] * s[i + 3] + 127) / 255, p[i + c]);
            if (s[i + 3] is > 0 and < 255) soft++;
        }
        Assert.True(soft > 100, $"only {soft} soft pixels to tell the modes apart");
    }

    /// <summary>Two images named alike but for their extension would be one frame file: refused, naming both, nothing written.</summary>
    [Fact]
    public void ImagesNamedAlikeButForTheirExtensionAreRefused()
    {
        using var dir = new TempFolder();
        Directory.CreateDirectory(dir.File("in"));
        File.Copy(Sample, dir.File("in/x.png"));
        MediaTools.SkipIfMissing();
        MediaTools.Ffmpeg("-i", Sample, dir.File("in/x.jpg"));
        var r = CliRunner.Run("convert", dir.File("in"), "--output-alpha", dir.File("out"), "--output-type", "exr_sequence", "--threads", "2", "--quiet");
        _log.WriteLine($"exit {r.ExitCode}: {r.StdErr.Trim()}");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("x.png: would be written as x.exr, as x.jpg was: rename one of the two images", Assert.Single(r.StdErr.Trim().Split('\n')));
        Assert.False(Directory.Exists(dir.File("out")));
    }

    [Theory]
    [InlineData(2, "--alpha-mode is for outputs with alpha", "convert", "{sample}", "--output-alpha", "{dir}/a.png", "--alpha-mode", "premultiplied")]
    [InlineData(2, "--bit-depth is for PNG and ProRes outputs; an EXR sequence (--output-type exr_sequence) is half float", "convert", "{sample}", "--output-alpha", "{dir}/a", "--bit-depth", "16", "--output-type", "exr_sequence")]
    [InlineData(2, "--bit-depth must be 8 or 16, got '12'", "convert", "{sample}", "--output-alpha", "{dir}/a.png", "--bit-depth", "12")]
    [InlineData(1, "mp4 video holds 8 bits; for 16 bits use .mov (ProRes 4444)", "convert", "{clip}", "--output-alpha", "{dir}/a.mp4", "--bit-depth", "16")]
    [InlineData(1, "OpenEXR outputs are folders of frames", "convert", "{clip}", "--output-alpha", "{dir}/a.exr")]
    [InlineData(1, "its colour cannot be premultiplied", "convert", "{clip}", "--output-composition", "{dir}/c.gif", "--background", "transparent", "--alpha-mode", "premultiplied")]
    [InlineData(1, "an EXR output is a folder of frames", "convert", "{clip}", "--output-alpha", "{dir}/a.exr", "--output-type", "exr_sequence")]
    [InlineData(1, "mp4 video holds 8 bits", "convert", "{clip}", "--output-alpha", "{dir}/a.mp4", "--bit-depth", "16", "--workers", "2", "--threads", "2")]
    [InlineData(1, "webm video holds 8 bits", "plan", "{clip}", "--output-alpha", "{dir}/a.webm", "--bit-depth", "16", "--chunk-frames", "10", "--out", "{dir}/plan.json")]
    [InlineData(2, "a plan writes videos or folders of PNGs; convert EXR sequences in one pass", "plan", "{clip}", "--output-alpha", "{dir}/a", "--output-type", "exr_sequence", "--chunk-frames", "10", "--out", "{dir}/plan.json")]
    public void WhatCannotBeIsOneLineAndNothingWritten(int exitCode, string message, params string[] args)
    {
        using var dir = new TempFolder();
        var r = CliRunner.Run(args.Select(a => a.Replace("{sample}", Sample).Replace("{clip}", Clip).Replace("{dir}", dir.Path)).ToArray());
        _log.WriteLine($"exit {r.ExitCode}: {r.StdErr.Trim()}");
        Assert.Equal(exitCode, r.ExitCode);
        Assert.Contains(message, Assert.Single(r.StdErr.Trim().Split('\n')));
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }
}
