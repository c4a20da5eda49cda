using MatteKit.Media;
using MatteKit.Tests.TestSupport;
using Xunit;

namespace MatteKit.Tests.Media;

/// <summary>16-bit PNGs as ffmpeg reads them: every sample back, in every colour type, at an odd size (row filters see 2-byte samples).</summary>
public sealed class Png16Tests
{
    [SkippableTheory]
    [InlineData(1, "gray16le")]
    [InlineData(3, "rgb48le")]
    [InlineData(4, "rgba64le")]
    public void FfmpegReadsEverySample(int channels, string format)
    {
        MediaTools.SkipIfMissing();
        const int w = 23, h = 7;
        var samples = new ushort[w * h * channels];
        for (int i = 0; i < samples.Length; i++) samples[i] = (ushort)(i * 7919 % 65536);
        using var dir = new TempFolder();
        var path = dir.File("deep.png");
        PngFile.Write16(path, w, h, channels, samples);
        Assert.Equal(format.Replace("le", "be"), MediaTools.Video(path).PixelFormat);
        Assert.Equal(samples, MediaTools.Decode16(path, format));
    }
}
