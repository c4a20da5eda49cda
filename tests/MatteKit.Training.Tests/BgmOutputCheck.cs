using MatteKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace MatteKit.Tests.Training;

/// <summary>
/// Compares a full-size output with what a <c>shared/reference/bgmv2</c> case stores (the whole tensor, or 128x128
/// windows plus 8x8 block means), printing max and mean |difference| and collecting failures.
/// </summary>
internal sealed class BgmOutputCheck
{
    private readonly BgmReference _case;
    private readonly ITestOutputHelper _log;

    public BgmOutputCheck(BgmReference refCase, ITestOutputHelper log)
    {
        _case = refCase;
        _log = log;
    }

    public List<string> Failures { get; } = new();

    /// <summary><paramref name="excluded"/> (per 4x4 patch) leaves out blocks whose selection may legitimately differ.</summary>
    public void Compare(string key, float[] actual, int channels, bool[]? excluded, double maxTol, double meanTol)
    {
        if (!_case.Has(key)) return;
        var expected = _case.Floats(key);
        int w = _case.Width, h = _case.Height;
        bool Excluded(int y, int x) => excluded is not null && excluded[y / 4 * (w / 4) + x / 4];
        if (!_case.IsWindowed(key))
        {
            Assert.Equal(expected.Length, actual.Length);
            bool perPixel = excluded is not null && actual.Length == channels * w * h;
            Check(key, i => perPixel && Excluded(i % (w * h) / w, i % w) ? null : Math.Abs(actual[i] - expected[i]), expected.Length, maxTol, meanTol);
            return;
        }
        var windows = _case.Windows;
        Check(key + " (windows)", q =>
        {
            int j = q / (channels * 128 * 128), r = q % (channels * 128 * 128);
            int c = r / (128 * 128), y = windows[j].Y + r % (128 * 128) / 128, x = windows[j].X + r % 128;
            return Excluded(y, x) ? null : Math.Abs(actual[c * w * h + y * w + x] - expected[q]);
        }, expected.Length, maxTol, meanTol);
        var means = _case.Floats(key + "_mean8");
        int w8 = w / 8, h8 = h / 8;
        Check(key + " (8x8 means)", q =>
        {
            int c = q / (w8 * h8), by = q % (w8 * h8) / w8, bx = q % w8;
            double sum = 0;
            for (int y = 0; y < 8; y++)
                for (int x = 0; x < 8; x++)
                {
                    if (Excluded(by * 8 + y, bx * 8 + x)) return null;
                    sum += actual[c * w * h + (by * 8 + y) * w + bx * 8 + x];
                }
            return Math.Abs((float)(sum / 64) - means[q]);
        }, means.Length, maxTol, meanTol);
    }

    private void Check(string what, Func<int, double?> difference, int count, double maxTol, double meanTol)
    {
        double max = 0, sum = 0;
        int compared = 0;
        for (int i = 0; i < count; i++)
        {
            if (difference(i) is not { } d) continue;
            if (!(d <= max)) max = double.IsNaN(d) ? double.PositiveInfinity : d;
            sum += d;
            compared++;
        }
        double mean = sum / Math.Max(1, compared);
        _log.WriteLine($"{_case.Name} {what}: max |difference| {max:E2}, mean {mean:E2} ({compared} values)");
        if (compared == 0) Failures.Add($"{what}: nothing compared");
        if (max > maxTol || mean > meanTol) Failures.Add($"{what}: max {max:E2} (tol {maxTol:E0}), mean {mean:E2} (tol {meanTol:E0})");
    }
}
