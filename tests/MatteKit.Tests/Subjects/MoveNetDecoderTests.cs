using MatteKit.Subjects;
using MatteKit.Tests.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace MatteKit.Tests.Subjects;

/// <summary>
/// The decoder visits only the cells inside each candidate's box; this twin weighs every cell of the grid, as the TF.js
/// graph does, and the two must decode the same people exactly, on the fixtures' real heads and on random heads whose
/// boxes are cut at the grid's edges or empty.
/// </summary>
public sealed class MoveNetDecoderTests
{
    private static readonly Lazy<PersonDetector> Detector = new(() => PersonDetector.Load(threads: 2));
    private readonly ITestOutputHelper _log;

    public MoveNetDecoderTests(ITestOutputHelper log) => _log = log;

    [Theory]
    [InlineData("kids", 0f)]
    [InlineData("street", 0f)]
    [InlineData("kids", 6f)]
    [InlineData("street", -6f)]
    public void DecodesAsEveryCellWeighedDoes(string name, float boxShift)
    {
        var rgb = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "movenet", $"{name}_256x256.rgb"));
        var heads = Detector.Value.Heads(rgb, 256, 256);
        // Boxes moved by a few cells, some then cut at the grid's edge (random heads below reach every edge).
        for (int i = 0; i < heads.BoxOffset.Length; i++) heads.BoxOffset[i] += boxShift;
        var decoded = MoveNetDecoder.Decode(heads, 1.5, 0.75);
        var expected = EveryCell(heads, 1.5, 0.75);
        Assert.Equal(expected.Count, decoded.Count);
        for (int p = 0; p < expected.Count; p++)
        {
            Assert.Equal(expected[p].Score, decoded[p].Score);
            Assert.Equal(expected[p].Box, decoded[p].Box);
            Assert.Equal(expected[p].Keypoints, decoded[p].Keypoints);
        }
        _log.WriteLine($"{name}, boxes moved {boxShift} cells: {decoded.Count} people alike, scores {string.Join(" ", decoded.Select(p => p.Score.ToString("0.000")))}");
    }

    /// <summary>
    /// Random heads on grids of odd sizes, with box sizes and offsets that cut boxes at every edge of the grid, leave
    /// some empty or with fractional sides, and heatmaps with runs of zeros (every weighted value 0: the peak is cell 0).
    /// </summary>
    [Fact]
    public void DecodesRandomHeadsAsEveryCellWeighedDoes()
    {
        var random = new Random(7);
        int cut = 0, empty = 0;
        foreach (var (w, h) in new[] { (17, 23), (64, 36), (5, 3), (33, 33) })
            for (int trial = 0; trial < 25; trial++)
            {
                var heads = new MoveNetHeads(w, h);
                foreach (var (head, low, high) in new[] { (heads.Center, 0f, 1f), (heads.Regress, -10f, 10f), (heads.Offset, -1f, 1f),
                             (heads.BoxScale, -5f, 1.5f * Math.Max(w, h)), (heads.BoxOffset, -0.75f * Math.Max(w, h), 0.75f * Math.Max(w, h)) })
                    for (int i = 0; i < head.Length; i++) head[i] = low + (float)random.NextDouble() * (high - low);
                for (int i = 0; i < heads.Heatmap.Length; i++) heads.Heatmap[i] = random.Next(4) == 0 ? 0 : (float)random.NextDouble();
                if (trial % 5 == 0) Array.Clear(heads.Heatmap);
                var expected = EveryCell(heads, 1, 1);
                var decoded = MoveNetDecoder.Decode(heads, 1, 1);
                Assert.Equal(expected.Count, decoded.Count);
                for (int p = 0; p < expected.Count; p++)
                {
                    Assert.Equal(expected[p].Score, decoded[p].Score);
                    Assert.Equal(expected[p].Box, decoded[p].Box);
                    Assert.Equal(expected[p].Keypoints, decoded[p].Keypoints);
                    var box = decoded[p].Box;
                    if (box.Left <= 0 || box.Top <= 0 || box.Right >= 4 * w || box.Bottom >= 4 * h) cut++;
                    if (box.Width <= 0 || box.Height <= 0) empty++;
                }
            }
        _log.WriteLine($"100 random grids alike; {cut} boxes cut at the grid's edge, {empty} empty");
        Assert.True(cut > 50 && empty > 10, $"the random boxes should reach the edges ({cut}) and be empty at times ({empty})");
    }

    /// <summary>The decoding with every cell of the grid weighed (the earlier decoder's loops, kept as the reference).</summary>
    private static List<PersonDetection> EveryCell(MoveNetHeads heads, double scaleX, double scaleY)
    {
        int w = heads.Width, h = heads.Height, cells = w * h, k = MoveNetHeads.Keypoints;
        var centres = new List<(float Score, int Index)>();
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                float c = heads.Center[y * w + x], max = float.NegativeInfinity;
                for (int dy = -2; dy <= 2; dy++)
                    for (int dx = -2; dx <= 2; dx++)
                        if (y + dy >= 0 && y + dy < h && x + dx >= 0 && x + dx < w) max = Math.Max(max, heads.Center[(y + dy) * w + x + dx]);
                centres.Add((Math.Abs(c - max) < 1.0132789611816406e-06f ? c : 0, y * w + x));
            }
        var top = centres.OrderByDescending(p => p.Score).ThenBy(p => p.Index).Take(MoveNetDecoder.MaxPeople).ToList();
        int n = top.Count;
        var boxes = new (float Top, float Left, float Bottom, float Right)[n];
        var regressed = new (float Y, float X)[n, k];
        for (int p = 0; p < n; p++)
        {
            int y = top[p].Index / w, x = top[p].Index % w;
            float sh = Math.Max(heads.At(heads.BoxScale, 0, y, x), 0), sw = Math.Max(heads.At(heads.BoxScale, 1, y, x), 0);
            float cy = y + heads.At(heads.BoxOffset, 0, y, x), cx = x + heads.At(heads.BoxOffset, 1, y, x);
            boxes[p] = (Math.Clamp(cy - sh * 0.5f, 0, h), Math.Clamp(cx - sw * 0.5f, 0, w), Math.Clamp(cy + sh * 0.5f, 0, h), Math.Clamp(cx + sw * 0.5f, 0, w));
            for (int j = 0; j < k; j++) regressed[p, j] = (y + heads.At(heads.Regress, 2 * j, y, x), x + heads.At(heads.Regress, 2 * j + 1, y, x));
        }
        float twoSigmaSquared = Math.Min(h, w) * 0.300048828125f;
        var weighted = new float[n * k * cells];
        var best = new float[k * cells];
        for (int p = 0; p < n; p++)
            for (int j = 0; j < k; j++)
                for (int gy = 0; gy < h; gy++)
                    for (int gx = 0; gx < w; gx++)
                    {
                        int cell = gy * w + gx;
                        var box = boxes[p];
                        bool inside = gy >= box.Top && gy < box.Bottom && gx >= box.Left && gx < box.Right;
                        float dy = gy - regressed[p, j].Y, dx = gx - regressed[p, j].X;
                        float v = inside ? heads.Heatmap[j * cells + cell] * MathF.Exp(-(dy * dy + dx * dx) / twoSigmaSquared) : 0;
                        weighted[(p * k + j) * cells + cell] = v;
                        if (p == 0 || v > best[j * cells + cell]) best[j * cells + cell] = v;
                    }
        var people = new List<PersonDetection>();
        for (int p = 0; p < n; p++)
        {
            var keypoints = new Keypoint[k];
            float sum = 0;
            int counted = 0;
            for (int j = 0; j < k; j++)
            {
                int at = 0, row = (p * k + j) * cells;
                for (int cell = 1; cell < cells; cell++)
                    if (weighted[row + cell] > weighted[row + at]) at = cell;
                int ky = at / w, kx = at % w;
                float y = ky + heads.At(heads.Offset, 2 * j, ky, kx), x = kx + heads.At(heads.Offset, 2 * j + 1, ky, kx);
                float score = best[j * cells + at];
                keypoints[j] = new Keypoint((float)(x * 4 / scaleX), (float)(y * 4 / scaleY), score);
                if (score > 0.126953125f)
                {
                    sum += score;
                    counted++;
                }
            }
            var b = boxes[p];
            people.Add(new PersonDetection(top[p].Score * sum / Math.Max(counted, 1),
                new PersonBox((float)(b.Left * 4 / scaleX), (float)(b.Top * 4 / scaleY), (float)(b.Right * 4 / scaleX), (float)(b.Bottom * 4 / scaleY)), keypoints));
        }
        return people;
    }
}
