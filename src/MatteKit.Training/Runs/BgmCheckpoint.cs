using System.Text;
using System.Text.Json;
using MatteKit.Media;
using MatteKit.Training.Bgm;
using MatteKit.Training.Optimization;
using static TorchSharp.torch;

namespace MatteKit.Training.Runs;

/// <summary>
/// A resumable BGMv2 training state in one file: a JSON header (the run's options that shape it, the stage under
/// way, step, time spent, the data stream's random state, the loss histories, the validations and the best one), then the network's tensors, the
/// stage's Adam state and libtorch's generator state (ASPP's dropout draws from it), in TorchSharp's format.
/// Written under a temporary name and renamed.
/// </summary>
internal sealed class BgmCheckpoint
{
    private const string Magic = "MATTEKIT-BGM-CHECKPOINT-1";

    // The best validation MAD starts as infinity, which JSON has no number for.
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public required string Backbone { get; init; }

    /// <summary>The stages the run trains: base, refine or both.</summary>
    public required string Stages { get; init; }

    /// <summary>The stage under way (base or refine).</summary>
    public required string Stage { get; init; }
    public required int Width { get; init; }
    public required int Height { get; init; }
    public required int RefineWidth { get; init; }
    public required int RefineHeight { get; init; }
    public required long Step { get; init; }
    public required double Seconds { get; init; }
    public required ulong RandomState { get; init; }
    /// <summary>Each base step's total loss, thinned as <see cref="StepHistory"/> thins (a checkpoint written before kept every one, as bare numbers).</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(StepTotalsConverter))]
    public List<StepTotal> BaseLosses { get; init; } = new();

    /// <summary>Each refine step's total loss, as <see cref="BaseLosses"/>.</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(StepTotalsConverter))]
    public List<StepTotal> RefineLosses { get; init; } = new();
    public List<ValidationRecord> Validation { get; init; } = new();

    /// <summary>
    /// The best validation MAD of the network --out holds (the whole network when the run includes the refine stage,
    /// else the base network) and its step, whose weights --out holds; infinity and -1 before any such validation.
    /// </summary>
    public double BestMad { get; init; } = double.PositiveInfinity;
    public long BestStep { get; init; } = -1;

    /// <summary>
    /// Whether the run's network started from no weights, which gives its stages the scratch rates
    /// (<see cref="BgmOptimizer.For"/>; a stage's Adam, when it is the checkpoint's, brings its own); false in checkpoints
    /// written before those rates, whose runs all learnt at the official ones.
    /// </summary>
    public bool FromScratch { get; init; }

    public void Save(string path, BgmMattingNetwork network, BgmOptimizer optimizer, Tensor generatorState)
    {
        var header = JsonSerializer.SerializeToUtf8Bytes(this, Json);
        var generator = generatorState.to_type(ScalarType.Byte).contiguous().data<byte>().ToArray();
        OutputFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            CheckpointHeader.Write(writer, Magic, header);
            network.save(writer);
            optimizer.Save(writer);
            writer.Write(generator.Length);
            writer.Write(generator);
        });
    }

    /// <summary>The header's own fields, before anything is built for them (the sizes and stages are compared with the options by the caller).</summary>
    /// <exception cref="MediaFormatException">A field is missing or out of its range.</exception>
    private void CheckFields(string path)
    {
        CheckpointFields.Present(path, nameof(Backbone), (string?)Backbone);
        CheckpointFields.OneOf(path, nameof(Stages), Stages, "base", "refine", "both");
        // A run of one stage is always in it.
        CheckpointFields.OneOf(path, nameof(Stage), Stage, Stages == "both" ? new[] { "base", "refine" } : new[] { Stages });
        CheckpointFields.Side(path, nameof(Width), Width);
        CheckpointFields.Side(path, nameof(Height), Height);
        CheckpointFields.Side(path, nameof(RefineWidth), RefineWidth);
        CheckpointFields.Side(path, nameof(RefineHeight), RefineHeight);
        CheckpointFields.Whole(path, nameof(Step), Step, 0, CheckpointFields.MaxStep);
        CheckpointFields.Seconds(path, nameof(Seconds), Seconds);
        CheckpointFields.Whole(path, nameof(BestStep), BestStep, -1, Step);
        CheckpointFields.Score(path, nameof(BestMad), BestMad);
        // Every step adds its total loss to its stage's list (thinned past StepHistory's bound).
        long losses = (long)CheckpointFields.Present(path, nameof(BaseLosses), (List<StepTotal>?)BaseLosses).Count
                      + CheckpointFields.Present(path, nameof(RefineLosses), (List<StepTotal>?)RefineLosses).Count;
        CheckpointFields.Whole(path, $"{nameof(BaseLosses)} and {nameof(RefineLosses)} (their lengths together)", losses, 0, Step);
        NumberBareTotals();
        foreach (var (field, totals) in new[] { (nameof(BaseLosses), BaseLosses), (nameof(RefineLosses), RefineLosses) })
            foreach (var total in totals) CheckpointFields.Whole(path, $"{field}'s step", CheckpointFields.Entry(path, field, total).Step, 1, Step);
        // Scored at step 0, every --valid-every steps and at the end of each of the two stages (which may repeat a step).
        CheckpointFields.Validation(path, nameof(Validation), Validation, Step + 3, Step);
    }

    /// <summary>
    /// Gives the bare totals of a checkpoint written before the steps were kept (read as unnumbered) their steps: such a
    /// run kept every step's total, the base stage's first, so base total i is step i + 1 and refine total j step
    /// (base totals) + j + 1. A list of records (written since) is left as it is.
    /// </summary>
    private void NumberBareTotals()
    {
        if (BaseLosses.Concat(RefineLosses).Any(t => t is null || t.Step != StepTotal.Unnumbered)) return;
        for (int i = 0; i < BaseLosses.Count; i++) BaseLosses[i] = BaseLosses[i] with { Step = i + 1 };
        for (int j = 0; j < RefineLosses.Count; j++) RefineLosses[j] = RefineLosses[j] with { Step = BaseLosses.Count + j + 1 };
    }

    /// <summary>
    /// Reads the header, checks it with <paramref name="check"/> (which builds the stage's Adam for it), loads the
    /// tensors into <paramref name="network"/> and that Adam, and returns the header, the Adam and the generator
    /// state. Every failure is one line naming the file.
    /// </summary>
    /// <param name="stepBudget">The resuming run's --steps, which the checkpoint's step may not pass; null for a --minutes run.</param>
    /// <exception cref="MediaFormatException">The file cannot be resumed from.</exception>
    public static (BgmCheckpoint Header, BgmOptimizer Optimizer, Tensor GeneratorState) Read(string path, long? stepBudget, BgmMattingNetwork network,
        Func<BgmCheckpoint, BgmOptimizer> check)
    {
        var (header, reader) = CheckpointHeader.Open<BgmCheckpoint>(path, Magic, Json,
            "not a MatteKit BGMv2 training checkpoint (written by mattekit train --model bgmv2 next to its --out)", stepBudget);
        using var _ = reader;
        header.CheckFields(path);
        var optimizer = check(header);
        try
        {
            network.load(reader, strict: true);
            // The two stages' Adams differ in their groups (the base stage's has no refiner's): an Adam of the other
            // stage's count means the header's Stage was edited; TorchSharp's own words would not say which field. The
            // count is read from TorchSharp's save layout only to word a load TorchSharp itself refused, so a layout
            // that changes can never refuse a good checkpoint.
            long? saved = ModuleAdam.SavedGroupCount(reader);
            try
            {
                optimizer.Load(reader);
            }
            catch (Exception e) when (saved is { } count && count != optimizer.GroupCount)
            {
                throw new MediaFormatException(path, $"checkpoint field {nameof(Stage)} is '{header.Stage}', but its Adam state is not that stage's " +
                                                     $"({count} parameter groups, not {optimizer.GroupCount}); edited or damaged", e);
            }
            // Adam's state brings the rates it ran at; the header's FromScratch says which this run prints and gives
            // the next stage: they must be the same.
            if (!optimizer.RunsAtItsRates())
                throw new FormatException($"its Adam's rates are not those of the header's {nameof(FromScratch)} ({header.FromScratch}): edited");
            int length = reader.ReadInt32();
            if (length <= 0 || length > 1 << 20) throw new FormatException($"generator state of {length} bytes");
            var bytes = reader.ReadBytes(length);
            if (bytes.Length != length) throw new EndOfStreamException();
            return (header, optimizer, tensor(bytes, dtype: ScalarType.Byte));
        }
        catch (MediaFormatException)
        {
            optimizer.Dispose();
            throw;
        }
        catch (EndOfStreamException e)
        {
            optimizer.Dispose();
            throw new MediaFormatException(path, "cut short: the file ends inside its tensors (a copy or write that did not finish)", e);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or IOException or OverflowException
                                      or IndexOutOfRangeException or NotSupportedException or NotImplementedException or OutOfMemoryException)
        {
            optimizer.Dispose();
            // TorchSharp's text quotes what it read as a name, which in a damaged file can be megabytes of binary.
            throw new MediaFormatException(path, $"damaged, or written for another network ({PrintableText.Excerpt(e.Message, 120)})", e);
        }
    }
}
