using MatteKit.Tests.TestSupport;
using MatteKit.Training.Runs;

namespace MatteKit.Tests.Training;

/// <summary>
/// The free space the training preflight asks of --out's folder. A file the run replaces is written beside the one it
/// replaces (a temporary name, then a rename), so for a moment both are there: counted once, a run with validation
/// on a 75 MB disk passed the preflight and then failed every checkpoint write from its first improvement on (the
/// checkpoint beside --out lagging --out, a rescue copy left in $TMPDIR; found by a hostile-input pass). The sizes
/// here are arithmetic, no disk is filled, so no root is needed; the refusal itself on a small tmpfs is
/// <see cref="TrainingHostileInputTests.AnUnwritableOutputIsRefusedBeforeTheDataLoads"/>'s (root only).
/// </summary>
public sealed class OutputPreflightTests
{
    /// <summary>About RVM MobileNetV3's tensors: its checkpoint is 45 MB, three times them.</summary>
    private const long RvmStateBytes = 15L << 20;

    private static TrainOptions Options(string output, string? valid) =>
        new() { Output = output, Valid = valid, Steps = 30, ValidEvery = 1 };

    [Fact]
    public void AFileTheRunReplacesCountsItsNewCopyBesideTheOld()
    {
        using var temp = new TempFolder();
        var validated = OutputPreflight.Writes(Options(temp.File("tuned.pth"), temp.File("valid")), RvmStateBytes, checkpoint: true);
        Assert.Equal(["--out", "the checkpoint"], validated.Select(w => w.Option));
        Assert.All(validated, w => Assert.Equal(w.Bytes, OutputPreflight.ExtraCopy(w)));
        // Both files, and the checkpoint's new copy beside its old one (the larger of the two copies).
        Assert.Equal(validated.Sum(w => w.Bytes) + validated.Max(w => w.Bytes), OutputPreflight.SpaceNeeded(validated));
        // The hostile pass's 75 MB held the two files once (about 62 MB), not the checkpoint's second copy.
        Assert.True(OutputPreflight.SpaceNeeded(validated) > 75L << 20);

        // Without validation each is written once, at the end, where nothing is: no second copy.
        var once = OutputPreflight.Writes(Options(temp.File("tuned.pth"), null), RvmStateBytes, checkpoint: true);
        Assert.Equal(once.Sum(w => w.Bytes), OutputPreflight.SpaceNeeded(once));
    }

    /// <summary>
    /// Two files rewritten in one folder are never rewritten at the same moment: the peak is both at their size and
    /// the larger one's new copy, not each one's second copy (that asked about 120 MB for RVM MobileNetV3's --out and
    /// checkpoint where about 104 MB (measured) is the peak, refusing runs on nearly full disks that would fit; review).
    /// </summary>
    [Fact]
    public void TwoRewrittenFilesInOneFolderNeedTheirSumAndOnlyTheLargerSecondCopy()
    {
        using var temp = new TempFolder();
        PlannedWrite small = new("--out", temp.File("tuned.pth"), 10L << 20, true), large = new("the checkpoint", temp.File("tuned.ckpt"), 30L << 20, true);
        Assert.Equal((10L + 30 + 30) << 20, OutputPreflight.SpaceNeeded([small, large]));
        Assert.Equal((10L + 30 + 30) << 20, OutputPreflight.SpaceNeeded([large, small]));
        // A file written once beside nothing adds no copy; the largest rewritten one's still counts.
        PlannedWrite report = new("--report", temp.File("report.html"), 50L << 20, false);
        Assert.Equal((10L + 30 + 50 + 30) << 20, OutputPreflight.SpaceNeeded([small, large, report]));
    }

    /// <summary>
    /// A file already there (the checkpoint a resumed run goes on from) already holds its space: the run needs what
    /// its new copy adds, and once the old one goes, the second copy of its own; never less than one copy.
    /// </summary>
    [Fact]
    public void AFileAlreadyThereIsNotCountedTwice()
    {
        using var temp = new TempFolder();
        const long state = 1L << 20;
        var options = Options(temp.File("tuned.pth"), temp.File("valid"));
        var checkpoint = OutputPreflight.Writes(options, state, checkpoint: true).Single(w => w.Option == "the checkpoint");
        using (var file = File.Create(options.CheckpointPath)) file.SetLength(checkpoint.Bytes / 2);
        Assert.Equal(2 * checkpoint.Bytes - checkpoint.Bytes / 2, OutputPreflight.SpaceNeeded([checkpoint]));
        using (var file = File.Create(options.CheckpointPath)) file.SetLength(3 * checkpoint.Bytes);
        Assert.Equal(checkpoint.Bytes, OutputPreflight.SpaceNeeded([checkpoint]));
        // Written once, over a file there: its new copy beside the old for a moment, no more.
        var once = checkpoint with { Rewritten = false };
        Assert.Equal(checkpoint.Bytes, OutputPreflight.SpaceNeeded([once]));
        using (var file = File.Create(options.CheckpointPath)) file.SetLength(checkpoint.Bytes / 2);
        Assert.Equal(checkpoint.Bytes, OutputPreflight.SpaceNeeded([once]));
    }
}
