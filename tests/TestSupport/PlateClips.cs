using MatteKit.Media;

namespace MatteKit.Tests.TestSupport;

/// <summary>
/// Test clips for <c>--background-plate auto</c>: the person of the synthetic clip (its stored fgr/pha, frame 0)
/// composited over a still 512x288 crop of the pedestrians plate, either walking across or standing still.
/// </summary>
public static class PlateClips
{
    public static string SyntheticClip => SharedData.Path("media", "synthetic", "hair_over_campus_512x288");
    public static string PedestriansPlate => SharedData.Path("media", "plates", "pedestrians_static_cam_576p", "background.png");

    /// <summary>Writes <paramref name="frames"/> PNG frames to <paramref name="folder"/>; the person moves by <paramref name="step"/> px per frame.</summary>
    public static void Write(string folder, int frames, int step)
    {
        SharedData.SkipIfMissing(SyntheticClip);
        SharedData.SkipIfMissing(PedestriansPlate);
        var background = Crop(PngFile.ReadRgb(PedestriansPlate), 128, 144, 512, 288);
        var fgr = PngFile.ReadRgb(Path.Combine(SyntheticClip, "fgr", "0000.png"));
        var pha = PngFile.ReadGray(Path.Combine(SyntheticClip, "pha", "0000.png")).Pixels;
        Directory.CreateDirectory(folder);
        for (int f = 0; f < frames; f++)
        {
            int shift = (f - frames / 2) * step;
            var rgb = (byte[])background.Clone();
            for (int y = 0; y < 288; y++)
                for (int x = 0; x < 512; x++)
                {
                    int sx = x - shift;
                    if (sx < 0 || sx >= 512) continue;
                    int a = pha[y * 512 + sx];
                    for (int c = 0; c < 3; c++)
                    {
                        int o = (y * 512 + x) * 3 + c;
                        rgb[o] = (byte)((fgr.Pixels[(y * 512 + sx) * 3 + c] * a + rgb[o] * (255 - a) + 127) / 255);
                    }
                }
            PngFile.WriteRgb(Path.Combine(folder, $"{f:D4}.png"), 512, 288, rgb);
        }
    }

    /// <summary>The still background of <see cref="Write"/> as a PNG.</summary>
    public static void WriteBackground(string path)
    {
        SharedData.SkipIfMissing(PedestriansPlate);
        PngFile.WriteRgb(path, 512, 288, Crop(PngFile.ReadRgb(PedestriansPlate), 128, 144, 512, 288));
    }

    private static byte[] Crop(RgbImage image, int x0, int y0, int w, int h)
    {
        var rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
            Array.Copy(image.Pixels, ((y0 + y) * image.Width + x0) * 3, rgb, y * w * 3, w * 3);
        return rgb;
    }
}
