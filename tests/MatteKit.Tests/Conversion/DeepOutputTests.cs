using MatteKit.Conversion;
using MatteKit.Inference;
using MatteKit.Media;
using MatteKit.Tests.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace MatteKit.Tests.Conversion;

/// <summary>
/// Deep outputs carry the network's float results, not the 8-bit ones: an OpenEXR alpha read back (by ffmpeg) equals
/// the network's alpha within half-float precision, the EXR foreground is the sRGB-decoded foreground in linear light
/// (premultiplied by default, straight when asked) within 1%, and a 16-bit PNG alpha is the float rounded to 16 bits.
/// </summary>
public sealed class DeepOutputTests
{
    private static readonly string Sample = Path.Combine(SharedData.RepoRoot, "samples", "astronaut.png");
    private const double Ratio = 0.25;
    private readonly ITestOutputHelper _log;

    public DeepOutputTests(ITestOutputHelper log) => _log = log;

    [SkippableFact]
    public void ExrAndSixteenBitPngHoldTheNetworksFloats()
    {
        MediaTools.SkipIfMissing();
        var frame = PngFile.ReadRgb(Sample);
        int w = frame.Width, h = frame.Height, pixels = w * h;
        float[] alpha, foreground;
        using (var matter = VideoMatter.Load((string?)null, new MatterOptions { Threads = 2 }))
        {
            var result = matter.Process(frame.Pixels, w, h, Ratio);
            alpha = result.Alpha.ToArray().Select(v => Math.Clamp(v, 0f, 1f)).ToArray();
            foreground = result.Foreground.ToArray().Select(v => Math.Clamp(v, 0f, 1f)).ToArray();
        }

        using var dir = new TempFolder();
        var settings = new MattingSettings { Threads = 2, DownsampleRatio = Ratio };
        Converter.Run(new ConvertOptions
        {
            Input = Sample, OutputAlpha = dir.File("alpha"), OutputForeground = dir.File("fgr"), OutputType = OutputType.ExrSequence, Matting = settings, Priming = 0,
        });
        Converter.Run(new ConvertOptions
        {
            Input = Sample, OutputForeground = dir.File("straight"), OutputType = OutputType.ExrSequence, PremultiplyAlpha = false, Matting = settings, Priming = 0,
        });
        Converter.Run(new ConvertOptions { Input = Sample, OutputAlpha = dir.File("alpha16.png"), BitDepth = 16, Matting = settings, Priming = 0 });

        string exrAlpha = Path.Combine(dir.File("alpha"), "astronaut.exr"), exrForeground = Path.Combine(dir.File("fgr"), "astronaut.exr");
        Assert.Equal("grayf32le", MediaTools.Video(exrAlpha).PixelFormat);
        Assert.Equal("gbrapf32le", MediaTools.Video(exrForeground).PixelFormat);
        var readAlpha = MediaTools.DecodeFloatPlanes(exrAlpha, "grayf32le", w, h)[0];
        double alphaOff = Enumerable.Range(0, pixels).Max(i => Math.Abs(readAlpha[i] - alpha[i]) / Math.Max(Math.Abs(alpha[i]), 6.1e-5));
        _log.WriteLine($"EXR alpha: largest difference from the network's alpha {alphaOff:g3} of the value (half float: 4.9e-4)");
        Assert.True(alphaOff <= Math.Pow(2, -11), $"EXR alpha off by {alphaOff:g3} of the value");

        // gbrapf32le: planes G, B, R, A; colour premultiplied in linear light.
        var fg = MediaTools.DecodeFloatPlanes(exrForeground, "gbrapf32le", w, h);
        var straight = MediaTools.DecodeFloatPlanes(Path.Combine(dir.File("straight"), "astronaut.exr"), "gbrapf32le", w, h);
        double worst = 0, worstStraight = 0;
        int[] plane = [2, 0, 1]; // R, G, B
        for (int i = 0; i < pixels; i++)
            for (int c = 0; c < 3; c++)
            {
                double linear = SrgbTransfer.Decode(foreground[c * pixels + i]);
                worst = Math.Max(worst, Math.Abs(fg[plane[c]][i] - linear * alpha[i]) / Math.Max(linear * alpha[i], 0.01));
                worstStraight = Math.Max(worstStraight, Math.Abs(straight[plane[c]][i] - linear) / Math.Max(linear, 0.01));
            }
        _log.WriteLine($"EXR foreground against the sRGB-decoded network foreground: premultiplied within {worst:P3}, straight within {worstStraight:P3}");
        Assert.True(worst <= 0.01 && worstStraight <= 0.01, $"EXR colour off by {worst:P2} (premultiplied), {worstStraight:P2} (straight)");
        Assert.Equal(readAlpha, fg[3]);

        Assert.Equal("gray16be", MediaTools.Video(dir.File("alpha16.png")).PixelFormat);
        var sixteen = MediaTools.Decode16(dir.File("alpha16.png"), "gray16le");
        int off = Enumerable.Range(0, pixels).Count(i => sixteen[i] != (ushort)Math.Round(alpha[i] * 65535f));
        int levels = sixteen.Where(v => v is > 0 and < 65535).Distinct().Count();
        _log.WriteLine($"16-bit PNG alpha: {off} of {pixels} samples differ from the float rounded to 16 bits; {levels} distinct soft levels");
        Assert.True(off <= pixels / 1000, $"{off} samples differ");
        Assert.True(levels > 256, $"only {levels} soft levels");
    }

    [Theory]
    [InlineData(24, OutputType.Auto, null, "out.mp4", "BitDepth must be 8 or 16, got 24")]
    [InlineData(16, OutputType.ExrSequence, null, "out", "BitDepth is for PNG and ProRes outputs; an EXR sequence (OutputType exr_sequence) is half float")]
    [InlineData(8, OutputType.Auto, true, "out.png", "PremultiplyAlpha is for outputs with alpha")]
    public void ContradictionsAreRefusedBeforeAnythingIsRead(int bits, OutputType type, bool? premultiply, string output, string message)
    {
        using var dir = new TempFolder();
        var options = new ConvertOptions { Input = Sample, OutputAlpha = dir.File(output), BitDepth = bits, OutputType = type, PremultiplyAlpha = premultiply };
        var e = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains(message, e.Message);
    }
}
