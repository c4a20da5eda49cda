using MatteKit.Subjects;
using MatteKit.Tests.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace MatteKit.Tests.Subjects;

/// <summary>
/// The decoder visits only the cells inside each candidate's box; this twin weighs every cell of the grid, as the TF.js
/// graph does, and the two must decode the same people exactly, on the fixtures' real heads and on heads with the
/// boxes cut at the grid's edges.
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
        // Boxes moved half out of the grid, so that their cut edges are decoded too.
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
