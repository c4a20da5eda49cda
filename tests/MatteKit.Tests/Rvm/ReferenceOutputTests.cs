using MatteKit.Inference;
using MatteKit.Tests.TestSupport;
using Xunit.Abstractions;

namespace MatteKit.Tests.Rvm;

/// <summary>
/// Our network against the official PyTorch outputs in <c>shared/reference/rvm_mobilenetv3</c>, every stored frame
/// and tensor, with the README's tolerances; prints the measured differences.
/// </summary>
[Trait("Needs", "shared")]
public sealed class ReferenceOutputTests
{
    private static readonly string Folder = SharedData.Reference("rvm_mobilenetv3");
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
        var refCase = SharedData.ReferenceCaseOrSkip(Folder, caseName);
        var tolerances = ReferenceCase.LoadTolerances(Folder);
        using var matter = VideoMatter.Load(TestWeights.ByName(weights), new MatterOptions { Threads = 2 });

        var cmp = new ReferenceComparison(refCase, tolerances, _log, weights);
        cmp.CompareMattingFrames(matter);
        cmp.AssertAll("fgr", "pha", "r4");
    }

    [SkippableFact]
    public void TfjsAndPthWeightsGiveIdenticalOutputs()
    {
        var refCase = SharedData.ReferenceCaseOrSkip(Folder, "c");
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
