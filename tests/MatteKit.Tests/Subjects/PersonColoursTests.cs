using MatteKit.Subjects;
using Xunit;

namespace MatteKit.Tests.Subjects;

/// <summary>A person's colour histogram: taken from the pixels well inside their mask only, and known only from enough of them.</summary>
public sealed class PersonColoursTests
{
    private const int Pixels = PoseRoi.CropSide * PoseRoi.CropSide;

    [Fact]
    public void ColoursInsideTheMaskAreLikelyAndThoseOutsideItAreNot()
    {
        // Left half orange and inside the mask; right half blue and outside it (the background around a person).
        var crop = PersonCrop.Blank();
        var (mask, rgb) = (new float[Pixels], new byte[Pixels * 3]);
        for (int i = 0; i < Pixels; i++)
        {
            bool inside = i % PoseRoi.CropSide < PoseRoi.CropSide / 2;
            mask[i] = inside ? 0.95f : 0.6f; // 0.6: the mask's soft edge, not counted
            (rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]) = inside ? ((byte)230, (byte)140, (byte)30) : ((byte)20, (byte)60, (byte)200);
        }
        crop.Fill(default, mask, rgb, 1, new float[crop.Landmarks.Length]);
        var colours = new PersonColours();
        colours.Take(crop);
        Assert.True(colours.Known);
        byte[] frame = [230, 140, 30, 20, 60, 200, 234, 143, 29];
        float orange = colours.LogShare(frame, 0), blue = colours.LogShare(frame, 1), nearOrange = colours.LogShare(frame, 2);
        Assert.Equal(orange, nearOrange); // the same bin: 32 levels wide
        // Every colour gets one pixel's worth: 512 bins over the 128 x 256 sure pixels, all of them orange.
        const int sure = Pixels / 2;
        Assert.Equal(MathF.Log((sure + 1f) / (sure + 512)), orange, 5);
        Assert.Equal(MathF.Log(1f / (sure + 512)), blue, 5);
    }

    /// <summary>Too few sure pixels say nothing: not before a good sighting, and not over one (a person far off later keeps their colours).</summary>
    [Fact]
    public void AMaskWithTooFewSurePixelsTellsNothing()
    {
        var colours = new PersonColours();
        colours.Take(Crop(255, red: 200));
        Assert.False(colours.Known);
        colours.Take(Crop(256, red: 200));
        Assert.True(colours.Known);
        byte[] frame = [200, 0, 0, 0, 0, 0];
        float red = colours.LogShare(frame, 0), black = colours.LogShare(frame, 1);
        colours.Take(Crop(10, red: 0)); // ten sure pixels, all black
        Assert.True(colours.Known);
        Assert.Equal(red, colours.LogShare(frame, 0));
        Assert.Equal(black, colours.LogShare(frame, 1));
    }

    /// <summary>
    /// The colours around a person go with the crop they were taken from (the gap test reads that crop's colour at a
    /// pixel and asks which of the two it is): a close-up with too little around the person forgets them, where it kept
    /// an older crop's colours beside the new crop (review).
    /// </summary>
    [Fact]
    public void ColoursAroundAPersonAreForgottenWhenACropHasTooFewAroundThem()
    {
        var around = new PersonColours(around: true);
        around.Take(Crop(Pixels / 2, red: 200)); // half the crop outside the mask: known
        Assert.True(around.Known);
        around.Take(Crop(Pixels - 100, red: 200)); // the person fills all but 100 pixels
        Assert.False(around.Known);
    }

    /// <summary>A crop whose first <paramref name="sure"/> pixels are well inside the mask and of red level <paramref name="red"/>.</summary>
    private static PersonCrop Crop(int sure, byte red)
    {
        var crop = PersonCrop.Blank();
        var (mask, rgb) = (new float[Pixels], new byte[Pixels * 3]);
        for (int i = 0; i < sure; i++) (mask[i], rgb[3 * i]) = (1, red);
        crop.Fill(default, mask, rgb, 1, new float[crop.Landmarks.Length]);
        return crop;
    }
}
