using System.Globalization;

namespace MatteKit.Tests.TestSupport;

/// <summary>
/// The four numbers issue 26 checks a subject-locked matte by, on a clip with separate truth per person
/// (<see cref="SubjectCase"/>). Alphas are bytes (0..255); a person's own pixels in frame f are those where their
/// visible truth is at least 128: C_f for the chosen person, O_f for the other. A frame is visible when
/// |C_f| &gt;= <see cref="MinVisiblePixels"/>.
/// <list type="bullet">
/// <item><see cref="OtherMeanAlpha"/> = sum over f, p in O_f of out_f(p) / 255, divided by sum over f of |O_f|
/// (goal &lt;= <see cref="OtherGoal"/>).</item>
/// <item><see cref="ChosenMad"/> = sum over visible f, p in R_f of |out_f(p) - chosen_f(p)| / 255, divided by sum of
/// |R_f|, where R_f is the box of the chosen truth's non-zero pixels grown by <see cref="RegionGrowth"/> of its width
/// and height on each side (clipped to the frame). <see cref="RvmAwayMad"/> is the same for RVM alone's output over
/// R_f less the pixels within <see cref="AwayPixels"/> px (square neighbourhood) of a pixel where the other person's
/// visible truth is non-zero: RVM's own error away from the other person. Goal: ChosenMad &lt;= <see cref="MadGoal"/>
/// x RvmAwayMad.</item>
/// <item><see cref="MissingFrames"/>: visible frames where sum over C_f of out_f, divided by sum over C_f of
/// chosen_f, is below <see cref="KeptGoal"/> (the output keeps less than half the chosen person's alpha mass). Goal:
/// none.</item>
/// <item><see cref="SwitchFrames"/>: the frames f where sum over O_f of out_f &gt; sum over C_f of out_f (the output
/// holds more of the other person than of the chosen one), and, where the chosen one is not visible, sum over O_f of
/// out_f &gt;= <see cref="SwitchShare"/> x sum over O_f of other_f (it holds a part of them, not a few stray pixels of
/// their edge while the chosen one is hidden), while frame f - 1 did not (before frame 0: not). Goal: none.</item>
/// </list>
/// </summary>
internal sealed record SubjectScore(
    double OtherMeanAlpha,
    double ChosenMad,
    double RvmAwayMad,
    double RvmOtherMeanAlpha,
    int VisibleFrames,
    IReadOnlyList<int> MissingFrames,
    IReadOnlyList<int> SwitchFrames)
{
    public const int MinVisiblePixels = 500;
    public const double RegionGrowth = 0.10;
    public const int AwayPixels = 10;
    public const double OtherGoal = 0.02, MadGoal = 1.3, KeptGoal = 0.5;
    /// <summary>The share of the other person's alpha mass the output must hold, while the chosen one is hidden, to follow them.</summary>
    public const double SwitchShare = 0.1;

    /// <summary>Scores <paramref name="output"/> (per frame, <paramref name="width"/> x <paramref name="height"/>) against the truths, with RVM alone's output for the reference error.</summary>
    public static SubjectScore Measure(int width, int height, IReadOnlyList<byte[]> output, IReadOnlyList<byte[]> rvm,
        IReadOnlyList<byte[]> chosen, IReadOnlyList<byte[]> other)
    {
        int n = chosen.Count;
        if (output.Count != n || rvm.Count != n || other.Count != n)
            throw new ArgumentException($"frame counts differ: output {output.Count}, RVM {rvm.Count}, chosen truth {n}, other truth {other.Count}");
        double otherSum = 0, otherCount = 0, rvmOtherSum = 0, madSum = 0, madCount = 0, awaySum = 0, awayCount = 0;
        int visible = 0;
        var missing = new List<int>();
        var switches = new List<int>();
        bool wasSwitched = false;
        for (int f = 0; f < n; f++)
        {
            var (o, r, c, x) = (output[f], rvm[f], chosen[f], other[f]);
            if (o.Length != width * height || r.Length != o.Length || c.Length != o.Length || x.Length != o.Length)
                throw new ArgumentException($"frame {f}: an alpha is not {width}x{height}");
            double massOnChosen = 0, truthOnChosen = 0, massOnOther = 0, truthOnOther = 0;
            int chosenPixels = 0;
            for (int i = 0; i < o.Length; i++)
            {
                if (x[i] >= 128) { otherSum += o[i] / 255.0; rvmOtherSum += r[i] / 255.0; otherCount++; massOnOther += o[i]; truthOnOther += x[i]; }
                if (c[i] >= 128) { massOnChosen += o[i]; truthOnChosen += c[i]; chosenPixels++; }
            }
            bool switched = massOnOther > massOnChosen && (chosenPixels >= MinVisiblePixels || massOnOther >= SwitchShare * truthOnOther);
            if (switched && !wasSwitched) switches.Add(f);
            wasSwitched = switched;
            if (chosenPixels < MinVisiblePixels) continue;
            visible++;
            if (massOnChosen < KeptGoal * truthOnChosen) missing.Add(f);
            var (l, t, rt, b) = Box(c, width, height);
            int gx = (int)Math.Round((rt - l) * RegionGrowth), gy = (int)Math.Round((b - t) * RegionGrowth);
            (l, t, rt, b) = (Math.Max(0, l - gx), Math.Max(0, t - gy), Math.Min(width, rt + gx), Math.Min(height, b + gy));
            var nearOther = Near(x, width, height, AwayPixels);
            for (int y = t; y < b; y++)
                for (int px = l; px < rt; px++)
                {
                    int i = y * width + px;
                    madSum += Math.Abs(o[i] - c[i]) / 255.0;
                    madCount++;
                    if (nearOther[i]) continue;
                    awaySum += Math.Abs(r[i] - c[i]) / 255.0;
                    awayCount++;
                }
        }
        return new SubjectScore(otherCount == 0 ? 0 : otherSum / otherCount, madCount == 0 ? 0 : madSum / madCount,
            awayCount == 0 ? 0 : awaySum / awayCount, otherCount == 0 ? 0 : rvmOtherSum / otherCount, visible, missing, switches);
    }

    /// <summary>Pixels within <paramref name="distance"/> (square neighbourhood) of a non-zero pixel of <paramref name="alpha"/>: a max filter, rows then columns.</summary>
    internal static bool[] Near(byte[] alpha, int width, int height, int distance)
    {
        var rows = new bool[alpha.Length];
        for (int y = 0; y < height; y++)
        {
            int last = int.MinValue / 2; // the last non-zero column seen, scanning left to right then right to left
            for (int x = 0; x < width; x++)
            {
                if (alpha[y * width + x] > 0) last = x;
                rows[y * width + x] = x - last <= distance;
            }
            last = int.MaxValue / 2;
            for (int x = width - 1; x >= 0; x--)
            {
                if (alpha[y * width + x] > 0) last = x;
                rows[y * width + x] |= last - x <= distance;
            }
        }
        var near = new bool[alpha.Length];
        for (int x = 0; x < width; x++)
        {
            int last = int.MinValue / 2;
            for (int y = 0; y < height; y++)
            {
                if (rows[y * width + x]) last = y;
                near[y * width + x] = y - last <= distance;
            }
            last = int.MaxValue / 2;
            for (int y = height - 1; y >= 0; y--)
            {
                if (rows[y * width + x]) last = y;
                near[y * width + x] |= last - y <= distance;
            }
        }
        return near;
    }

    /// <summary>The box around an alpha's non-zero pixels: left, top, right and bottom (exclusive).</summary>
    private static (int L, int T, int R, int B) Box(byte[] alpha, int width, int height)
    {
        int l = width, t = height, r = 0, b = 0;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                if (alpha[y * width + x] > 0) (l, t, r, b) = (Math.Min(l, x), Math.Min(t, y), Math.Max(r, x + 1), Math.Max(b, y + 1));
        return (l, t, r, b);
    }

    /// <summary>ChosenMad over RvmAwayMad (infinite when RVM's error is 0 and ours is not).</summary>
    public double MadRatio => RvmAwayMad > 0 ? ChosenMad / RvmAwayMad : ChosenMad > 0 ? double.PositiveInfinity : 1;

    /// <summary>The goals this score misses, one phrase each; empty when it meets them all.</summary>
    /// <param name="madRatio">The MAD ratio allowed: the issue's <see cref="MadGoal"/> unless a case is held to what was measured.</param>
    /// <param name="missing">Frames missing the subject allowed: the issue's none unless a case is held to what was measured.</param>
    public IReadOnlyList<string> Failures(double madRatio = MadGoal, int missing = 0)
    {
        var failures = new List<string>();
        if (OtherMeanAlpha > OtherGoal) failures.Add(F($"other person's mean alpha {OtherMeanAlpha:0.000} > {OtherGoal}"));
        if (ChosenMad > madRatio * RvmAwayMad) failures.Add(F($"chosen MAD x1e3 {ChosenMad * 1e3:0.0} > {madRatio} x RVM's {RvmAwayMad * 1e3:0.0}"));
        if (MissingFrames.Count > missing) failures.Add($"subject missing in {MissingFrames.Count} of {VisibleFrames} visible frames");
        if (SwitchFrames.Count > 0) failures.Add($"{SwitchFrames.Count} identity switch(es)");
        return failures;
    }

    /// <summary>One line: the four numbers, RVM alone's for comparison, and the frames concerned.</summary>
    public string Line(string name) =>
        F($"{name}: other {OtherMeanAlpha:0.000} mean alpha over own pixels (RVM alone {RvmOtherMeanAlpha:0.000}); ") +
        F($"chosen MAD x1e3 {ChosenMad * 1e3:0.0} vs RVM away from other {RvmAwayMad * 1e3:0.0} (x{MadRatio:0.00}); ") +
        $"missing {MissingFrames.Count}/{VisibleFrames} visible frames{Frames(MissingFrames)}; switches {SwitchFrames.Count}{Frames(SwitchFrames)}";

    private static string Frames(IReadOnlyList<int> frames) => frames.Count == 0 ? "" : $" [{string.Join(",", frames)}]";

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
