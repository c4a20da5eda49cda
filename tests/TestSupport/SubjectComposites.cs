using System.Collections.Concurrent;
using MatteKit.Datasets;
using MatteKit.Media;

namespace MatteKit.Tests.TestSupport;

/// <summary>
/// Composite clips of two people with separate truth per person, for scoring a matte locked to one of them (issue
/// 26): two shared P3M cut-outs scaled to 38% (the child) to 85% of the frame height, moved frame by frame over the shared atrium
/// photo, one in front of the other. Each case is <see cref="FrameCount"/> PNG frames of <see cref="Width"/> x
/// <see cref="Height"/>, deterministic (no randomness), with each person's visible alpha per frame.
/// The cut-outs are ones MoveNet finds alone in the frame (SubjectCompositeTests checks it): a man from the knees up
/// (<see cref="Man"/>), a young woman standing (<see cref="Woman"/>), a child seen from behind (<see cref="Child"/>).
/// </summary>
internal static class SubjectComposites
{
    public const int Width = 640, Height = 360, FrameCount = 40;
    public const string Man = "p3m_p_07141906", Woman = "p3m_p_bd6af989", Child = "p3m_p_bc5cfad1";
    private const string BackgroundFile = "bm_atrium_stairs_1080p.jpg";

    /// <summary>The cases, in the order the tests print them.</summary>
    public static readonly string[] Names = { "SideBySide", "CrossingChosenFront", "CrossingChosenBehind", "ShortOcclusion", "EnteringLate" };

    /// <summary>The frame where EnteringLate's chosen person first shows, and the one they are chosen in.</summary>
    public const int EnteringFrame = 8, EnteredFrame = 20, EnteringPointFrame = 25;

    /// <summary>Builds case <paramref name="name"/> into a folder of <paramref name="dir"/>; skips when the shared cut-outs or background are absent.</summary>
    public static SubjectCase Build(string name, TempFolder dir)
    {
        // Positions are the person's centre x in pixels, from the frame index and the person's half width.
        // A person: the cut-out, its alpha box's height as a share of the frame's, and where it stands in each frame.
        (string Cutout, double HeightShare, Func<int, double, double> CentreX) other, chosen;
        bool chosenInFront = false;
        int pointFrame = 0;
        switch (name)
        {
            case "SideBySide":
                // Close enough that the boxes around them nearly touch; their alphas do not overlap.
                other = (Man, 0.85, (f, _) => 0.40 * Width + Sway(f, 0));
                chosen = (Woman, 0.78, (f, _) => 0.63 * Width + Sway(f, 1.3));
                break;
            case "CrossingChosenFront":
            case "CrossingChosenBehind":
                // The chosen one walks left to right across the other, who drifts slowly the other way.
                chosen = (Woman, 0.78, (f, _) => Width * (0.12 + 0.76 * f / (FrameCount - 1)));
                other = (Man, 0.85, (f, _) => Width * (0.62 - 0.2 * f / (FrameCount - 1)));
                chosenInFront = name == "CrossingChosenFront";
                break;
            case "ShortOcclusion":
                // A child stands still; the man walks across in front and hides them for about 4 frames (all but slivers under 2%).
                chosen = (Child, 0.38, (f, _) => 0.55 * Width + Sway(f, 0.5) / 3);
                other = (Man, 0.85, (f, _) => Width * (0.05 + 0.9 * f / (FrameCount - 1)));
                break;
            case "EnteringLate":
                // The chosen one walks in from the right edge: a part of them shows at EnteringFrame, all of them at EnteredFrame.
                other = (Man, 0.85, (f, _) => 0.3 * Width + Sway(f, 0));
                chosen = (Woman, 0.78, (f, half) =>
                    f < EnteringFrame ? Width + half + 20
                    : f >= EnteredFrame ? 0.76 * Width + Sway(f, 2)
                    : Width + 0.5 * half + (0.76 * Width - Width - 0.5 * half) * (f - EnteringFrame) / (EnteredFrame - EnteringFrame));
                pointFrame = EnteringPointFrame;
                break;
            default:
                throw new ArgumentException($"no composite case named {name}; the cases are {string.Join(", ", Names)}", nameof(name));
        }
        return Compose(dir, name, other, chosen, chosenInFront, pointFrame);
    }

    private static double Sway(int frame, double phase) => 3 * Math.Sin(2 * Math.PI * frame / 20 + phase);

    private static SubjectCase Compose(TempFolder dir, string name,
        (string Cutout, double HeightShare, Func<int, double, double> CentreX) other,
        (string Cutout, double HeightShare, Func<int, double, double> CentreX) chosen, bool chosenInFront, int pointFrame)
    {
        var background = Background();
        var (otherCut, otherScale) = Scaled(other);
        var (chosenCut, chosenScale) = Scaled(chosen);
        var folder = Directory.CreateDirectory(dir.File(name)).FullName;
        var chosenTruth = new List<byte[]>(FrameCount);
        var otherTruth = new List<byte[]>(FrameCount);
        byte[]? chosenSolo = null, otherSolo = null;
        (int X, int Y)? point = null;
        for (int f = 0; f < FrameCount; f++)
        {
            var (otherRgb, otherAlpha) = Render(otherCut, otherScale, other.CentreX(f, HalfWidth(otherCut, otherScale)));
            var (chosenRgb, chosenAlpha) = Render(chosenCut, chosenScale, chosen.CentreX(f, HalfWidth(chosenCut, chosenScale)));
            var (backRgb, backAlpha, frontRgb, frontAlpha) = chosenInFront
                ? (otherRgb, otherAlpha, chosenRgb, chosenAlpha)
                : (chosenRgb, chosenAlpha, otherRgb, otherAlpha);
            var rgb = Over(Over(background, backRgb, backAlpha), frontRgb, frontAlpha);
            var backVisible = new byte[Width * Height];
            for (int i = 0; i < backVisible.Length; i++) backVisible[i] = (byte)Math.Round(backAlpha[i] * (255 - frontAlpha[i]) / 255.0);
            PngFile.WriteRgb(Path.Combine(folder, $"{f:D4}.png"), Width, Height, rgb);
            var (chosenVisible, otherVisible) = chosenInFront ? (chosenAlpha, backVisible) : (backVisible, otherAlpha);
            chosenTruth.Add(chosenVisible);
            otherTruth.Add(otherVisible);
            if (f == pointFrame)
            {
                chosenSolo = Over(background, chosenRgb, chosenAlpha);
                otherSolo = Over(background, otherRgb, otherAlpha);
                point = PointOn(chosenVisible, otherAlpha);
            }
        }
        return new SubjectCase(name, folder, chosenTruth, otherTruth, pointFrame, point!.Value, chosenSolo!, otherSolo!);
    }

    /// <summary>
    /// An opaque pixel of the chosen person nearest their alpha's centroid and outside the other person's whole box
    /// (grown by 5%), so that a point there names the chosen one, not whoever a detector's box of the other covers.
    /// </summary>
    private static (int X, int Y) PointOn(byte[] chosen, byte[] otherWhole)
    {
        var (l, t, r, b) = TwoPeopleClip.Box(otherWhole);
        int growX = (r - l) / 20, growY = (b - t) / 20;
        (l, t, r, b) = (l - growX, t - growY, r + growX, b + growY);
        double sx = 0, sy = 0, mass = 0;
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
                if (chosen[y * Width + x] >= 128) (sx, sy, mass) = (sx + x, sy + y, mass + 1);
        if (mass == 0) throw new InvalidOperationException("the chosen person is not visible in the frame they are chosen in");
        double cx = sx / mass, cy = sy / mass, best = double.MaxValue;
        (int X, int Y)? found = null;
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
            {
                if (chosen[y * Width + x] < 250 || (x >= l && x < r && y >= t && y < b)) continue;
                double d = (x - cx) * (x - cx) + (y - cy) * (y - cy);
                if (d < best) (best, found) = (d, (x, y));
            }
        return found ?? throw new InvalidOperationException("every opaque pixel of the chosen person lies inside the other person's box");
    }

    private static readonly ConcurrentDictionary<string, Cutout> Cutouts = new();
    private static readonly Lazy<byte[]> BackgroundPixels = new(ReadBackground);

    private static byte[] Background()
    {
        SharedData.SkipIfMissing(SharedData.Path("media", "backgrounds", "images", BackgroundFile));
        return BackgroundPixels.Value;
    }

    /// <summary>The atrium photo reduced by area averaging and cropped about its centre to the frame size.</summary>
    private static byte[] ReadBackground()
    {
        var image = BackgroundFrames.ReadImage(SharedData.Path("media", "backgrounds", "images", BackgroundFile));
        int factor = Math.Max(1, Math.Min(image.Width / Width, image.Height / Height));
        var reduced = Resampler.ReduceByArea(image.Pixels, image.Width, image.Height, 3, factor, out int w, out int h);
        if (w < Width || h < Height) throw new InvalidOperationException($"{BackgroundFile} is {image.Width}x{image.Height}, smaller than {Width}x{Height} after reduction");
        int ox = (w - Width) / 2, oy = (h - Height) / 2;
        var rgb = new byte[Width * Height * 3];
        for (int y = 0; y < Height; y++) reduced.AsSpan(((oy + y) * w + ox) * 3, Width * 3).CopyTo(rgb.AsSpan(y * Width * 3));
        return rgb;
    }

    /// <summary>
    /// The person's cut-out, reduced by area averaging to at most twice the size it is drawn at (so that bilinear
    /// sampling does not alias), and the scale that makes its alpha box the person's share of the frame height.
    /// </summary>
    private static (Cutout Cutout, double Scale) Scaled((string Cutout, double HeightShare, Func<int, double, double> CentreX) person)
    {
        var folder = SharedData.Path("media", "matting", person.Cutout);
        SharedData.SkipIfMissing(folder);
        var full = Cutouts.GetOrAdd(person.Cutout, _ => Cutout.Load(folder));
        double target = person.HeightShare * Height;
        int factor = (int)Math.Floor((full.Bounds.Bottom - full.Bounds.Top) / target / 2);
        var cut = full.Reduce(factor);
        return (cut, target / (cut.Bounds.Bottom - cut.Bounds.Top));
    }

    private static double HalfWidth(Cutout cut, double scale) => (cut.Bounds.Right - cut.Bounds.Left) * scale / 2;

    /// <summary>Where the bottom of the alpha box goes: below the frame for a half-body cut-out (its cut edge hidden), else near the bottom.</summary>
    private static double Feet(Cutout cut) => cut.TouchesBottom ? Height + 2 : Height - 6;

    /// <summary>The cut-out drawn with its alpha box's centre at <paramref name="centreX"/> (bilinear from the inverse map): colour and alpha, 0 outside.</summary>
    private static (byte[] Rgb, byte[] Alpha) Render(Cutout cut, double scale, double centreX)
    {
        var rgb = new byte[Width * Height * 3];
        var alpha = new byte[Width * Height];
        var (l, t, r, b) = cut.Bounds;
        double anchorX = (l + r) / 2.0, anchorY = b, bottom = Feet(cut);
        int x0 = Math.Max(0, (int)Math.Floor(centreX - (anchorX - l) * scale) - 1), x1 = Math.Min(Width, (int)Math.Ceiling(centreX + (r - anchorX) * scale) + 1);
        int y0 = Math.Max(0, (int)Math.Floor(bottom - (b - t) * scale) - 1), y1 = Math.Min(Height, (int)Math.Ceiling(bottom) + 1);
        int w = cut.Width, h = cut.Height;
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++)
            {
                double sx = anchorX + (x + 0.5 - centreX) / scale - 0.5, sy = anchorY + (y + 0.5 - bottom) / scale - 0.5;
                if (sx < -0.5 || sy < -0.5 || sx > w - 0.5 || sy > h - 0.5) continue;
                sx = Math.Clamp(sx, 0, w - 1);
                sy = Math.Clamp(sy, 0, h - 1);
                int ax = (int)sx, ay = (int)sy, bx = Math.Min(ax + 1, w - 1), by = Math.Min(ay + 1, h - 1);
                double fx = sx - ax, fy = sy - ay;
                double Sample(byte[] plane, int channels, int c) =>
                    (plane[(ay * w + ax) * channels + c] * (1 - fx) + plane[(ay * w + bx) * channels + c] * fx) * (1 - fy)
                    + (plane[(by * w + ax) * channels + c] * (1 - fx) + plane[(by * w + bx) * channels + c] * fx) * fy;
                int i = y * Width + x;
                alpha[i] = (byte)Math.Round(Sample(cut.Alpha, 1, 0));
                for (int c = 0; c < 3; c++) rgb[3 * i + c] = (byte)Math.Round(Sample(cut.Rgb, 3, c));
            }
        return (rgb, alpha);
    }

    /// <summary><paramref name="fg"/> over <paramref name="under"/> with <paramref name="alpha"/>, into a new image.</summary>
    private static byte[] Over(byte[] under, byte[] fg, byte[] alpha)
    {
        var rgb = new byte[under.Length];
        for (int i = 0; i < alpha.Length; i++)
        {
            double a = alpha[i] / 255.0;
            for (int c = 0; c < 3; c++) rgb[3 * i + c] = (byte)Math.Round(fg[3 * i + c] * a + under[3 * i + c] * (1 - a));
        }
        return rgb;
    }
}
