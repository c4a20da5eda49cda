using MatteKit.Tests.TestSupport;
using Xunit;

namespace MatteKit.Tests.Subjects;

/// <summary>The composite scorer on hand-made 40x30 frames: the chosen person a block on the right, the other one on the left.</summary>
public sealed class SubjectScoreTests
{
    private const int W = 40, H = 30;

    /// <summary>255 in columns [<paramref name="from"/>, <paramref name="to"/>) of every row.</summary>
    private static byte[] Columns(int from, int to, byte value = 255)
    {
        var a = new byte[W * H];
        for (int y = 0; y < H; y++) for (int x = from; x < to; x++) a[y * W + x] = value;
        return a;
    }

    private static byte[] Sum(byte[] a, byte[] b) => a.Zip(b, (p, q) => (byte)Math.Min(255, p + q)).ToArray();

    // The chosen one fills columns 22..39 (540 pixels, visible), the other columns 0..14.
    private static readonly byte[] Chosen = Columns(22, 40), Other = Columns(0, 15), Both = Sum(Chosen, Other);

    private static SubjectScore Score(IReadOnlyList<byte[]> output, IReadOnlyList<byte[]>? rvm = null, IReadOnlyList<byte[]>? chosen = null)
    {
        chosen ??= output.Select(_ => Chosen).ToList();
        return SubjectScore.Measure(W, H, output, rvm ?? output.Select(_ => Both).ToList(), chosen, output.Select(_ => Other).ToList());
    }

    [Fact]
    public void TheChosenPersonExactlyMeetsEveryGoal()
    {
        var s = Score(new[] { Chosen, Chosen });
        Assert.Equal((0.0, 0.0, 0.0, 1.0, 2), (s.OtherMeanAlpha, s.ChosenMad, s.RvmAwayMad, s.RvmOtherMeanAlpha, s.VisibleFrames));
        Assert.Empty(s.MissingFrames);
        Assert.Empty(s.SwitchFrames);
        Assert.Empty(s.Failures());
    }

    [Fact]
    public void AlphaLeftOnTheOtherPersonIsTheirMeanOverTheirOwnPixels()
    {
        var s = Score(new[] { Sum(Chosen, Columns(0, 15, 51)), Chosen });
        Assert.Equal(0.1, s.OtherMeanAlpha, 6); // 0.2 in one frame of two
        Assert.Empty(s.SwitchFrames);
        Assert.Contains(s.Failures(), f => f.StartsWith("other person's mean alpha 0.100 > 0.02"));
    }

    [Fact]
    public void TheChosenErrorIsOverTheirGrownBoxAndRvmsAwayFromTheOther()
    {
        // The chosen box 22..39 grows by 2 columns (10% of 18) to 20..39, all rows: 600 pixels. Column 22 lost: 30/600.
        var ours = Chosen.ToArray();
        for (int y = 0; y < H; y++) ours[y * W + 22] = 0;
        // RVM errs in columns 20 and 21 (within 10 px of the other person, so not counted) and in column 30 (counted):
        // away from the other leaves columns 25..39, 450 pixels, 30 of them wrong.
        var rvm = Both.ToArray();
        for (int y = 0; y < H; y++) rvm[y * W + 20] = rvm[y * W + 21] = 255;
        for (int y = 0; y < H; y++) rvm[y * W + 30] = 0;
        var s = Score(new[] { ours }, new[] { rvm });
        Assert.Equal(30.0 / 600, s.ChosenMad, 9);
        Assert.Equal(30.0 / 450, s.RvmAwayMad, 9);
        Assert.Equal(0.75, s.MadRatio, 9);
        Assert.Empty(s.Failures());
        var worse = Score(new[] { Columns(30, 40) }, new[] { rvm });
        Assert.Contains(worse.Failures(), f => f.StartsWith("chosen MAD x1e3"));
    }

    [Fact]
    public void MissingFramesAndSwitchesAreCountedOnlyWhereTheSubjectShows()
    {
        // Frames: right, the other person only, the other only, right, the other only, empty while the chosen one is
        // hidden (under 500 pixels: not visible, not missing), the other only while hidden (a switch, not missing).
        var hidden = Columns(22, 35).Select((v, i) => i < 12 * W ? v : (byte)0).ToArray(); // 13 x 12 = 156 pixels
        var output = new[] { Chosen, Other, Other, Chosen, Other, new byte[W * H], Other };
        var chosen = new[] { Chosen, Chosen, Chosen, Chosen, Chosen, hidden, hidden };
        var s = Score(output, chosen: chosen);
        Assert.Equal(5, s.VisibleFrames);
        Assert.Equal(new[] { 1, 2, 4 }, s.MissingFrames);
        Assert.Equal(new[] { 1, 4, 6 }, s.SwitchFrames);
        Assert.Contains("subject missing in 3 of 5 visible frames", s.Failures());
        Assert.Contains("3 identity switch(es)", s.Failures());
        // A few stray pixels of the other's edge while the chosen one is hidden (12 of their 450) do not follow them.
        var stray = Columns(0, 15).Select((v, i) => i < 12 * W ? v : (byte)0).Select((v, i) => i % W == 14 ? v : (byte)0).ToArray();
        Assert.Equal(12, stray.Count(v => v > 0));
        Assert.Empty(Score(new[] { Chosen, stray }, chosen: new[] { Chosen, hidden }).SwitchFrames);
        // Half the chosen one's mass is kept: not missing (the bound is strict).
        var half = Score(new[] { Columns(22, 40, 128) });
        Assert.Empty(half.MissingFrames);
    }

    [Fact]
    public void NearMarksASquareNeighbourhood()
    {
        var a = new byte[W * H];
        a[15 * W + 20] = 1;
        var near = SubjectScore.Near(a, W, H, 3);
        Assert.Equal(49, near.Count(v => v));
        Assert.True(near[12 * W + 17] && near[18 * W + 23]);
        Assert.False(near[11 * W + 20] || near[15 * W + 24]);
    }
}
