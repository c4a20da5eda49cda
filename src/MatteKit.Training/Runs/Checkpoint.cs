using System.Text;
using System.Text.Json;
using MatteKit.Media;
using MatteKit.Training.Network;
using MatteKit.Training.Optimization;

namespace MatteKit.Training.Runs;

/// <summary>
/// A resumable training state in one file: a JSON header (step, time spent, the data stream's random state, the
/// histories, the best validation), then the network's tensors and Adam's state in TorchSharp's format. Written
/// under a temporary name and renamed.
/// </summary>
internal sealed class Checkpoint
{
    private const string Magic = "MATTEKIT-CHECKPOINT-1";

    // The best validation MAD starts as infinity, which JSON has no number for.
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public required string Preset { get; init; }
    public required int Width { get; init; }
    public required int Height { get; init; }
    public required int Frames { get; init; }
    public int HighWidth { get; init; }
    public int HighHeight { get; init; }
    public int HighFrames { get; init; }
    public required long Step { get; init; }
    public required double Seconds { get; init; }
    public required ulong RandomState { get; init; }
    public double BestMad { get; init; } = double.PositiveInfinity;
    public long BestStep { get; init; } = -1;
    public List<StepRecord> History { get; init; } = new();
    public List<ValidationRecord> Validation { get; init; } = new();

    public void Save(string path, MattingNetwork network, NetworkOptimizer optimizer)
    {
        var header = JsonSerializer.SerializeToUtf8Bytes(this, Json);
        OutputFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            CheckpointHeader.Write(writer, Magic, header);
            network.save(writer);
            optimizer.Save(writer);
        });
    }

    /// <summary>
    /// Reads the header and loads the tensors into <paramref name="network"/> and <paramref name="optimizer"/>.
    /// Every failure is one line naming the file: not a checkpoint, cut short, written for another network, or
    /// holding NaN or infinity (a diverged run, which would only go on producing NaN).
    /// </summary>
    /// <param name="stepBudget">The resuming run's --steps, which the checkpoint's step may not pass; null for a --minutes run.</param>
    /// <exception cref="MediaFormatException">The file cannot be resumed from.</exception>
    public static Checkpoint Read(string path, long? stepBudget, Func<Checkpoint, (MattingNetwork, NetworkOptimizer)> create)
    {
        var (header, reader) = CheckpointHeader.Open<Checkpoint>(path, Magic, Json, "not a MatteKit training checkpoint (written by mattekit train next to its --out)", stepBudget);
        using var _ = reader;
        header.CheckFields(path);
        var (network, optimizer) = create(header);
        try
        {
            network.load(reader, strict: true);
            optimizer.Load(reader);
        }
        catch (EndOfStreamException e)
        {
            throw new MediaFormatException(path, "cut short: the file ends inside its tensors (a copy or write that did not finish)", e);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or IOException or OverflowException
                                      or IndexOutOfRangeException or NotSupportedException or NotImplementedException or OutOfMemoryException)
        {
            // TorchSharp's text quotes what it read as a name, which in a damaged file can be megabytes of binary.
            throw new MediaFormatException(path, $"damaged, or written for another network ({PrintableText.Excerpt(e.Message, 120)})", e);
        }
        if (FirstNonFinite(network) is { } name)
            throw new MediaFormatException(path, $"tensor '{name}' holds NaN or infinity (the run that wrote it diverged); resume from an earlier checkpoint or start again");
        return header;
    }

    /// <summary>The header's own fields, before a network is built for them (the sizes are compared with the options by the caller).</summary>
    /// <exception cref="MediaFormatException">A field is missing or out of its range.</exception>
    private void CheckFields(string path)
    {
        CheckpointFields.Present(path, nameof(Preset), (string?)Preset);
        CheckpointFields.Side(path, nameof(Width), Width);
        CheckpointFields.Side(path, nameof(Height), Height);
        CheckpointFields.Whole(path, nameof(Frames), Frames, 1, TrainOptions.MaxSequenceLength);
        // 0 in a run without the high-resolution pass.
        CheckpointFields.Side(path, nameof(HighWidth), HighWidth, zeroTaken: true);
        CheckpointFields.Side(path, nameof(HighHeight), HighHeight, zeroTaken: true);
        CheckpointFields.Whole(path, nameof(HighFrames), HighFrames, 0, TrainOptions.MaxSequenceLength);
        CheckpointFields.Whole(path, nameof(Step), Step, 0, CheckpointFields.MaxStep);
        CheckpointFields.Seconds(path, nameof(Seconds), Seconds);
        CheckpointFields.Whole(path, nameof(BestStep), BestStep, -1, Step);
        CheckpointFields.Score(path, nameof(BestMad), BestMad);
        // One record a step, one validation at step 0 and at most one a step after it.
        CheckpointFields.Whole(path, $"{nameof(History)} (its length)", CheckpointFields.Present(path, nameof(History), (List<StepRecord>?)History).Count, 0, Step);
        CheckpointFields.Validation(path, nameof(Validation), Validation, Step + 1, Step);
        foreach (var record in History)
            CheckpointFields.Present(path, $"{nameof(History)}'s losses", CheckpointFields.Entry(path, nameof(History), (StepRecord?)record).Losses);
    }

    private static string? FirstNonFinite(MattingNetwork network)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        foreach (var (key, tensor) in network.state_dict())
            if (tensor.is_floating_point() && !TorchSharp.torch.isfinite(tensor).all().item<bool>())
                return key;
        return null;
    }
}
