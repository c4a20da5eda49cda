using MatteKit.Media;
using MatteKit.Tests.TestSupport;
using Xunit;

namespace MatteKit.Tests.Media;

/// <summary>
/// The OpenEXR writer read back by two readers that are not MatteKit's: ffmpeg's decoder and Debian's OpenCV (the
/// OpenEXR library). Every value comes back as the half float it was rounded to, at a size that is no multiple of the
/// 16-line block, with values outside 0..1 and below half's normal range.
/// </summary>
public sealed class ExrFileTests
{
    private const int W = 37, H = 21;

    [SkippableFact]
    public void FfmpegReadsEveryChannelAsTheHalfItWasRoundedTo()
    {
        MediaTools.SkipIfMissing();
        using var dir = new TempFolder();
        var (r, g, b, a) = (Values(0), Values(1), Values(2), Values(3));
        var rgba = dir.File("rgba.exr");
        ExrFile.Write(rgba, W, H, [("R", r), ("G", g), ("B", b), ("A", a)]);
        var planes = MediaTools.DecodeFloatPlanes(rgba, "gbrapf32le", W, H);
        AssertHalves(g, planes[0]);
        AssertHalves(b, planes[1]);
        AssertHalves(r, planes[2]);
        AssertHalves(a, planes[3]);

        var grey = dir.File("grey.exr");
        ExrFile.Write(grey, W, H, [("Y", a)]);
        AssertHalves(a, MediaTools.DecodeFloatPlanes(grey, "grayf32le", W, H)[0]);
    }

    [SkippableFact]
    public void OpenCvReadsTheSameValues()
    {
        OpenCvReader.SkipIfMissing();
        using var dir = new TempFolder();
        var (r, g, b, a) = (Values(0), Values(1), Values(2), Values(3));
        var rgba = dir.File("rgba.exr");
        ExrFile.Write(rgba, W, H, [("A", a), ("B", b), ("G", g), ("R", r)]);
        var (values, channels) = OpenCvReader.ReadFloat(rgba);
        Assert.Equal(4, channels);
        // OpenCV's order is B, G, R, A.
        AssertHalves(b, values.Where((_, i) => i % 4 == 0).ToArray());
        AssertHalves(g, values.Where((_, i) => i % 4 == 1).ToArray());
        AssertHalves(r, values.Where((_, i) => i % 4 == 2).ToArray());
        AssertHalves(a, values.Where((_, i) => i % 4 == 3).ToArray());
        var grey = dir.File("grey.exr");
        ExrFile.Write(grey, W, H, [("Y", r)]);
        var (greyValues, greyChannels) = OpenCvReader.ReadFloat(grey);
        Assert.Equal(1, greyChannels);
        AssertHalves(r, greyValues);
    }

    [Fact]
    public void ThePredictorSplitsEvenAndOddBytesAndStoresDifferences()
    {
        var into = new byte[5];
        ExrFile.Predict([10, 20, 30, 40, 50], into);
        // Reordered 10, 30, 50, 20, 40; then each minus the one before, plus 128.
        Assert.Equal(new byte[] { 10, 148, 148, 98, 148 }, into);
    }

    [Fact]
    public void NothingStandsUnderTheNameWhenAChannelIsShort()
    {
        using var dir = new TempFolder();
        var path = dir.File("short.exr");
        Assert.Throws<ArgumentException>(() => ExrFile.Write(path, W, H, [("Y", new float[W * H - 1])]));
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    // A smooth field per channel over -0.25..1.25 with a few exact and tiny values among it.
    private static float[] Values(int channel)
    {
        var values = new float[W * H];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(0.5 + 0.75 * Math.Sin(0.37 * i + channel));
        values[0] = 0;
        values[1] = 1;
        values[2] = 1e-6f; // below half's normal range: a subnormal
        values[3] = 0.5f;
        return values;
    }

    private static void AssertHalves(float[] written, float[] read)
    {
        Assert.Equal(written.Length, read.Length);
        for (int i = 0; i < written.Length; i++)
            Assert.True((float)(Half)written[i] == read[i], $"value {i}: wrote {written[i]} (half {(float)(Half)written[i]}), read {read[i]}");
    }
}
