using MatteKit.Datasets;
using MatteKit.Media;

namespace MatteKit.Tests.TestSupport;

/// <summary>
/// Two people side by side with separate truth (the shared cut-outs p3m_p_22fc0130 and p3m_p_514ca06a over a plain
/// wall, composed as compose-dataset does): 640x360 PNG frames, for the tests of one subject among several.
/// </summary>
internal static class TwoPeopleClip
{
    public const int Width = 640, Height = 360;

    /// <summary>Writes <paramref name="count"/> frames into a folder of <paramref name="dir"/>; skips when the cut-outs are absent.</summary>
    public static (string Folder, IReadOnlyList<PersonPair.Frame> Frames) Build(TempFolder dir, int count)
    {
        var mattes = SharedData.Path("media", "matting");
        SharedData.SkipIfMissing(Path.Combine(mattes, "p3m_p_22fc0130"));
        SharedData.SkipIfMissing(Path.Combine(mattes, "p3m_p_514ca06a"));
        var fg = Directory.CreateDirectory(dir.File("fg")).FullName;
        foreach (var name in new[] { "p3m_p_22fc0130", "p3m_p_514ca06a" })
        {
            Directory.CreateDirectory(Path.Combine(fg, name));
            foreach (var file in Directory.GetFiles(Path.Combine(mattes, name))) File.Copy(file, Path.Combine(fg, name, Path.GetFileName(file)));
        }
        var bg = Directory.CreateDirectory(dir.File("bg")).FullName;
        PngFile.WriteRgb(Path.Combine(bg, "wall.png"), 64, 36, Enumerable.Range(0, 64 * 36 * 3).Select(i => (byte)(90 + i % 3 * 40 + i / (64 * 3) % 9)).ToArray());
        DatasetComposer.Run(new ComposeOptions { Foregrounds = fg, Backgrounds = bg, Output = dir.File("ds"), Width = Width, Height = Height, Frames = count });
        var clips = Directory.GetDirectories(dir.File("ds")).Order(StringComparer.Ordinal).ToArray();
        var frames = PersonPair.Build(clips[0], clips[1], count);
        var folder = Directory.CreateDirectory(dir.File("com")).FullName;
        for (int i = 0; i < frames.Count; i++) PngFile.WriteRgb(Path.Combine(folder, $"{i:D4}.png"), Width, Height, frames[i].Rgb);
        return (folder, frames);
    }

    /// <summary>
    /// The frames as an H.264 file at 4 frames a second (nearly lossless): slow enough that a busy 2-core machine
    /// mattes most frames live rather than dropping them.
    /// </summary>
    public static string Video(TempFolder dir, string folder)
    {
        string video = dir.File("two.mp4");
        MediaTools.Ffmpeg("-framerate", "4", "-i", Path.Combine(folder, "%04d.png"), "-c:v", "libx264", "-crf", "12", "-pix_fmt", "yuv444p", video);
        return video;
    }

    /// <summary>The box around an alpha's non-zero pixels: left, top, right and bottom (exclusive).</summary>
    public static (int L, int T, int R, int B) Box(byte[] alpha)
    {
        int l = Width, t = Height, r = -1, b = -1;
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
                if (alpha[y * Width + x] > 0) (l, t, r, b) = (Math.Min(l, x), Math.Min(t, y), Math.Max(r, x + 1), Math.Max(b, y + 1));
        return (l, t, r, b);
    }

    /// <summary>Mean absolute difference of <paramref name="predicted"/> from <paramref name="truth"/> (0 where null) inside a box, in [0, 1].</summary>
    public static double Mad(byte[] predicted, byte[]? truth, (int L, int T, int R, int B) box)
    {
        double sum = 0;
        for (int y = box.T; y < box.B; y++)
            for (int x = box.L; x < box.R; x++) sum += Math.Abs(predicted[y * Width + x] - (truth?[y * Width + x] ?? 0)) / 255.0;
        return sum / ((box.R - box.L) * (box.B - box.T));
    }
}
