using MatteKit.Datasets;
using MatteKit.Media;
using MatteKit.Tests.TestSupport;

namespace MatteKit.Tests.Evaluation;

public class DatasetComposerTests
{
    /// <summary>A 60x80 half-body cut-out (alpha touches the bottom row, soft edges) and a 200x150 textured background.</summary>
    private static (string Foregrounds, string Backgrounds) MakeInputs(TempFolder temp)
    {
        var person = Directory.CreateDirectory(Path.Combine(temp.Path, "fg", "person")).FullName;
        const int w = 60, h = 80;
        var rgb = new byte[w * h * 3];
        var alpha = new byte[w * h];
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            double d = Math.Abs(x - 30) - (y < 20 ? 12 : 22);
            alpha[y * w + x] = (byte)Math.Clamp(128 - d * 60, 0, 255);
            rgb[(y * w + x) * 3] = (byte)(x * 4);
            rgb[(y * w + x) * 3 + 1] = (byte)(y * 3);
            rgb[(y * w + x) * 3 + 2] = 200;
        }
        PngFile.WriteRgb(Path.Combine(person, "image.png"), w, h, rgb);
        PngFile.WriteGray(Path.Combine(person, "alpha.png"), w, h, alpha);
        var backgrounds = Directory.CreateDirectory(Path.Combine(temp.Path, "bg")).FullName;
        var bg = new byte[200 * 150 * 3];
        for (int i = 0; i < bg.Length; i++) bg[i] = (byte)(i * 7 % 251);
        PngFile.WriteRgb(Path.Combine(backgrounds, "wall.png"), 200, 150, bg);
        return (Path.Combine(temp.Path, "fg"), backgrounds);
    }

    [Fact]
    public void Composite_is_exactly_the_stored_layers_and_the_person_moves()
    {
        using var temp = new TempFolder();
        var (fg, bg) = MakeInputs(temp);
        var output = temp.File("ds");
        var clips = DatasetComposer.Run(new ComposeOptions { Foregrounds = fg, Backgrounds = bg, Output = output, Width = 64, Height = 36, Frames = 4 });
        Assert.Equal(["person_over_wall"], clips);
        var clip = Path.Combine(output, "person_over_wall");
        Assert.True(File.Exists(Path.Combine(clip, "meta.json")));
        byte[]? firstAlpha = null;
        int mismatches = 0, fgrOutside = 0, soft = 0;
        for (int t = 0; t < 4; t++)
        {
            var name = $"{t:D4}.png";
            var (_, _, pha) = PngFile.ReadGray(Path.Combine(clip, "pha", name));
            var fgr = PngFile.ReadRgb(Path.Combine(clip, "fgr", name)).Pixels;
            var bgr = PngFile.ReadRgb(Path.Combine(clip, "bgr", name)).Pixels;
            var com = PngFile.ReadRgb(Path.Combine(clip, "com", name)).Pixels;
            for (int p = 0; p < pha.Length; p++)
            {
                double a = pha[p] / 255.0;
                if (pha[p] is > 0 and < 255) soft++;
                for (int c = 0; c < 3; c++)
                {
                    double expected = Math.Round(255 * (a * fgr[3 * p + c] / 255.0 + (1 - a) * bgr[3 * p + c] / 255.0), MidpointRounding.ToEven);
                    if (com[3 * p + c] != expected) mismatches++;
                    if (pha[p] == 0 && fgr[3 * p + c] != 0) fgrOutside++;
                }
            }
            if (t == 0) firstAlpha = pha;
            else Assert.NotEqual(firstAlpha, pha);
        }
        Assert.Equal(0, mismatches);
        Assert.Equal(0, fgrOutside);
        Assert.True(soft > 0, "the soft edge of the cut-out survives as partial alpha");
    }

    [Fact]
    public void Same_seed_gives_the_same_bytes()
    {
        using var temp = new TempFolder();
        var (fg, bg) = MakeInputs(temp);
        foreach (var o in new[] { "a", "b" })
            DatasetComposer.Run(new ComposeOptions { Foregrounds = fg, Backgrounds = bg, Output = temp.File(o), Width = 48, Height = 32, Frames = 2 });
        foreach (var sub in new[] { "com", "pha", "fgr", "bgr" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(temp.File("a"), "person_over_wall", sub, "0001.png")),
                File.ReadAllBytes(Path.Combine(temp.File("b"), "person_over_wall", sub, "0001.png")));
    }

    [Fact]
    public void Bad_foreground_folder_leaves_no_output()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(Path.Combine(temp.Path, "fg", "empty"));
        var (_, bg) = MakeInputs(temp);
        var e = Assert.Throws<MediaFormatException>(() =>
            DatasetComposer.Run(new ComposeOptions { Foregrounds = temp.File("fg"), Backgrounds = bg, Output = temp.File("ds"), Frames = 1 }));
        Assert.Contains("alpha.png", e.Message);
        Assert.False(Directory.Exists(temp.File("ds")));
        Assert.Empty(Directory.EnumerateDirectories(temp.Path, ".ds*"));
    }
}
