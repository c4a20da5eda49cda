using MatteKit.Media;
using MatteKit.Tests.TestSupport;
using Xunit;

namespace MatteKit.Tests.Subjects;

/// <summary>
/// A mask choice is known by its pixels, not its path: a plan's person pass made with a mask is reused (<c>convert
/// --workers</c> run again) only while the file holds the same mask.
/// </summary>
public sealed class SubjectChoiceMaskTests
{
    [Fact]
    public void AMaskEditedUnderTheSameNameIsAnotherChoice()
    {
        using var dir = new TempFolder();
        string path = dir.File("mask.png");
        var pixels = new byte[7 * 5];
        pixels[12] = 255;
        PngFile.WriteGray(path, 7, 5, pixels);
        var first = SubjectChoice.FromMask(path, PixelLimit.Default);
        Assert.Equal(first.MaskSha256, SubjectChoice.FromMask(path, PixelLimit.Default).MaskSha256);
        Assert.Matches("^[0-9a-f]{64}$", first.MaskSha256);
        pixels[13] = 255;
        PngFile.WriteGray(path, 7, 5, pixels);
        var edited = SubjectChoice.FromMask(path, PixelLimit.Default);
        Assert.Equal(first.ToString(), edited.ToString());
        Assert.NotEqual(first.MaskSha256, edited.MaskSha256);
        Assert.Null(SubjectChoice.Largest.MaskSha256);
    }
}
