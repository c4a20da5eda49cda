using MatteKit.Inference;
using MatteKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace MatteKit.Tests.Rvm;

/// <summary>
/// Our network against the official PyTorch outputs in <c>shared/reference/rvm_mobilenetv3</c>, every stored frame
/// and tensor, with the README's tolerances; prints the measured differences.
/// </summary>
public sealed class ReferenceOutputTests
{
    private static readonly string Folder = SharedData.Path("reference", "rvm_mobilenetv3");
    private readonly ITestOutputHelper _log;

    public ReferenceOutputTests(ITestOutputHelper log) => _log = log;

    public static IEnumerable<object[]> Cases()
    {
        foreach (var weights in new[] { "tfjs", "pth" })
            foreach (var name in new[] { "a", "b", "c", "e", "f" })
                yield return new object[] { weights, name };
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void MatchesOfficialPyTorch(string weights, string caseName)
    {
        SharedData.SkipIfMissing(System.IO.Path.Combine(Folder, "manifest.json"));
        var refCase = ReferenceCase.LoadAll(Folder).Single(c => c.Name == caseName);
        var tolerances = ReferenceCase.LoadTolerances(Folder);
        using var matter = VideoMatter.Load(TestWeights.ByName(weights), new MatterOptions { Threads = 2 });

        var worst = new Dictionary<string, (double Max, double Mean)>();
        var failures = new List<string>();
        for (int i = 0; i < refCase.Frames.Length; i++)
        {
            var result = matter.Process(refCase.SourceRgb24(i), refCase.Width, refCase.Height, refCase.DownsampleRatio);
            var ours = new Dictionary<string, (float[] Values, int Channels)>
            {
                ["fgr"] = (result.Foreground.ToArray(), 3),
                ["pha"] = (result.Alpha.ToArray(), 1),
            };
            for (int s = 0; s < 4; s++) ours[$"r{s + 1}"] = (matter.RecurrentState(s).ToArray(), 0);

            foreach (var (key, (values, channels)) in ours)
            {
                var expected = refCase.Stored(i, key, out bool asWindows);
                if (expected is null) continue;
                var actual = asWindows ? refCase.ExtractWindows(values, channels) : values;
                Assert.Equal(expected.Length, actual.Length);
                double max = 0, sum = 0;
                for (int k = 0; k < expected.Length; k++)
                {
                    double d = Math.Abs(actual[k] - expected[k]);
                    if (!(d <= max)) max = double.IsNaN(d) ? double.PositiveInfinity : d;
                    sum += d;
                }
                double mean = sum / expected.Length;
                _log.WriteLine($"case {caseName} ({weights}) frame {i} {key}{(asWindows ? " (windows)" : "")}: max {max:E2} mean {mean:E2}");
                var (maxTol, meanTol) = tolerances[key];
                if (max > maxTol || mean > meanTol)
                    failures.Add($"frame {i} {key}: max {max:E2} (tol {maxTol:E0}), mean {mean:E2} (tol {meanTol:E0})");
                var w = worst.GetValueOrDefault(key);
                worst[key] = (Math.Max(w.Max, max), Math.Max(w.Mean, mean));
            }
        }
        _log.WriteLine($"case {refCase} ({weights}) worst: " +
            string.Join(", ", worst.Select(kv => $"{kv.Key} max {kv.Value.Max:E2} mean {kv.Value.Mean:E2}")));
        Assert.True(failures.Count == 0, string.Join("; ", failures));
        Assert.True(worst.ContainsKey("fgr") && worst.ContainsKey("pha") && worst.ContainsKey("r4"), "nothing was compared");
    }

    [SkippableFact]
    public void TfjsAndPthWeightsGiveIdenticalOutputs()
    {
        SharedData.SkipIfMissing(System.IO.Path.Combine(Folder, "manifest.json"));
        var refCase = ReferenceCase.LoadAll(Folder).Single(c => c.Name == "c");
        using var fromTfjs = VideoMatter.Load(TestWeights.Default, new MatterOptions { Threads = 1 });
        using var fromPth = VideoMatter.Load(TestWeights.FromPth(), new MatterOptions { Threads = 1 });
        for (int i = 0; i < refCase.Frames.Length; i++)
        {
            var frame = refCase.SourceRgb24(i);
            var a = fromTfjs.Process(frame, refCase.Width, refCase.Height, refCase.DownsampleRatio);
            var aPha = a.Alpha.ToArray();
            var aFgr = a.Foreground.ToArray();
            var b = fromPth.Process(frame, refCase.Width, refCase.Height, refCase.DownsampleRatio);
            Assert.True(aPha.AsSpan().SequenceEqual(b.Alpha), $"frame {i}: alpha differs");
            Assert.True(aFgr.AsSpan().SequenceEqual(b.Foreground), $"frame {i}: foreground differs");
        }
    }
}
