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
        foreach (var write in validated) Assert.Equal(2 * write.Bytes, OutputPreflight.SpaceNeeded(write));
        // The hostile pass's 75 MB held the two files once (about 62 MB), not a second copy of each.
        Assert.True(validated.Sum(OutputPreflight.SpaceNeeded) > 75L << 20);

        // Without validation each is written once, at the end.
        foreach (var write in OutputPreflight.Writes(Options(temp.File("tuned.pth"), null), RvmStateBytes, checkpoint: true))
            Assert.Equal(write.Bytes, OutputPreflight.SpaceNeeded(write));
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
        Assert.Equal(2 * checkpoint.Bytes - checkpoint.Bytes / 2, OutputPreflight.SpaceNeeded(checkpoint));
        using (var file = File.Create(options.CheckpointPath)) file.SetLength(3 * checkpoint.Bytes);
        Assert.Equal(checkpoint.Bytes, OutputPreflight.SpaceNeeded(checkpoint));
    }
}
