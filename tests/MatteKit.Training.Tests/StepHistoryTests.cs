using MatteKit.Training.Runs;

namespace MatteKit.Tests.Training;

/// <summary>
/// A run's step records stay bounded however long it runs (a review found a long run's checkpoint header passing the
/// size --resume takes): older steps thin out, the first and the last step stay, the steps stay in order.
/// </summary>
public sealed class StepHistoryTests
{
    [Fact]
    public void ALongRunKeepsAtMostTheBoundFirstAndLastIncluded()
    {
        var history = new List<StepRecord>();
        const int steps = 3 * StepHistory.MaxRecords + 7;
        for (int s = 1; s <= steps; s++)
        {
            StepHistory.Add(history, new StepRecord(s, s * 0.5, new Dictionary<string, double> { ["pha_l1"] = 1.0 / s }));
            Assert.True(history.Count <= StepHistory.MaxRecords, $"{history.Count} records after step {s}");
        }
        Assert.Equal(1, history[0].Step);
        Assert.Equal(steps, history[^1].Step);
        Assert.True(history.Zip(history.Skip(1)).All(p => p.First.Step < p.Second.Step), "steps out of order");
        Assert.True(history.Count > StepHistory.MaxRecords / 2, $"only {history.Count} records kept");
        // The latest steps are the densest: the last thousand steps keep more records than the first thousand.
        Assert.True(history.Count(r => r.Step > steps - 1000) > history.Count(r => r.Step <= 1000));
    }

    /// <summary>The lists of a checkpoint written before the bound, three times as long: thinned to it at once, ends kept.</summary>
    [Fact]
    public void AnOlderLongerListIsThinnedToTheBoundAtOnce()
    {
        var totals = Enumerable.Range(1, 3 * StepHistory.MaxRecords + 5).Select(s => new StepTotal(s, 1.0 / s)).ToList();
        StepHistory.Bound(totals);
        Assert.InRange(totals.Count, StepHistory.MaxRecords / 2, StepHistory.MaxRecords);
        Assert.Equal(1, totals[0].Step);
        Assert.Equal(3 * StepHistory.MaxRecords + 5, totals[^1].Step);
        Assert.True(totals.Zip(totals.Skip(1)).All(p => p.First.Step < p.Second.Step), "steps out of order");
    }

    [Fact]
    public void AShortRunKeepsEveryStep()
    {
        var history = new List<StepRecord>();
        for (int s = 1; s <= 500; s++) StepHistory.Add(history, new StepRecord(s, s, new Dictionary<string, double>()));
        Assert.Equal(Enumerable.Range(1, 500).Select(s => (long)s), history.Select(r => r.Step));
    }
}
