using System.Text;
using System.Text.Json;
using MatteKit.Media;

namespace MatteKit.Training.Runs;

/// <summary>
/// The opening of RVM's and BGMv2's checkpoints: a magic string, the JSON header's length, the header. It is read in
/// two passes. The first streams through the header in a small buffer and takes only its shape (the step, how many
/// list entries it holds): a run writes at most two entries a step (a history or loss record and a validation
/// record, and a few validations more), each at most <see cref="EntryBytes"/>, so a header longer than its entries
/// take, or with more entries than its step, is refused having held <see cref="ScanBufferBytes"/>. The step is the
/// file's own, so it is first held to the run's --steps, and a --minutes run (no step budget) holds the entries to
/// <see cref="MostEntriesWithoutStepBudget"/>: an edited step of 10^9 let a header of 85 million two-byte entries through
/// to be deserialized (its 256 MB took more than the 870 MB below). Deserialized whole,
/// an edited header of 127 MB took 870 MB and 3 s to be refused. Only a header of that shape is read into objects,
/// whose fields the checkpoint then checks.
/// </summary>
internal static class CheckpointHeader
{
    /// <summary>The most a header may be, whatever it holds.</summary>
    public const int MaxBytes = 256 << 20;

    /// <summary>The fields besides the lists (names, sizes, step, time, the random state, the best score), with room to spare.</summary>
    private const long FixedBytes = 64 << 10;

    /// <summary>A list entry's most: a history step's record, as the output preflight bounds it; a validation record or a loss is less.</summary>
    private const long EntryBytes = OutputPreflight.HistoryBytesPerStep;

    /// <summary>
    /// The entries a run writes whatever its steps: each of its lists (at most three, BGMv2's two stages' totals and the
    /// validations) is thinned to <see cref="StepHistory.MaxRecords"/>. A checkpoint written before the lists were thinned
    /// may hold more; such a one resumes with --steps, which bounds them by its step instead.
    /// </summary>
    internal const long MostEntriesWithoutStepBudget = 3L * StepHistory.MaxRecords + 3;

    /// <summary>A token longer than this (a name, a number) is in no header MatteKit writes.</summary>
    private const int ScanBufferBytes = 64 << 10;

    public static void Write(BinaryWriter writer, string magic, byte[] header)
    {
        writer.Write(magic);
        writer.Write(header.Length);
        writer.Write(header);
    }

    /// <summary>
    /// Opens <paramref name="path"/> and reads its header as <typeparamref name="T"/>; the reader is left at the tensors
    /// that follow (the caller disposes it).
    /// </summary>
    /// <param name="stepBudget">The resuming run's --steps (null for a --minutes run): a header past it is refused, and its entries are bounded by it, not by the file's own step alone.</param>
    /// <param name="notACheckpoint">What the file is said not to be when the magic or the length is wrong, or the header is the JSON null (after a checkpoint's magic, JSON that does not parse is said to be a damaged header, naming the field).</param>
    /// <exception cref="MediaFormatException">Missing, not a regular file, not a checkpoint, a step past <paramref name="stepBudget"/>, or a header longer or with more entries than its step.</exception>
    public static (T Header, BinaryReader Reader) Open<T>(string path, string magic, JsonSerializerOptions? json, string notACheckpoint, long? stepBudget) where T : class
    {
        if (!File.Exists(path)) throw new MediaFormatException(path, "checkpoint not found");
        InputFile.RequireRegular(path, "a checkpoint");
        var stream = File.OpenRead(path);
        var reader = new BinaryReader(stream, Encoding.UTF8);
        try
        {
            if (reader.ReadString() != magic) throw new FormatException();
            return Read<T>(path, stream, reader, json, stepBudget);
        }
        catch (Exception e) when (e is FormatException or EndOfStreamException or IOException or ArgumentException)
        {
            reader.Dispose();
            throw new MediaFormatException(path, notACheckpoint);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>The header after the magic: its length, its shape, its objects.</summary>
    /// <exception cref="MediaFormatException">JSON that does not parse, or a field of the wrong kind: the header of a checkpoint, damaged.</exception>
    private static (T Header, BinaryReader Reader) Read<T>(string path, Stream stream, BinaryReader reader, JsonSerializerOptions? json, long? stepBudget) where T : class
    {
        try
        {
            int length = reader.ReadInt32();
            if (length <= 0 || length > MaxBytes) throw new FormatException();
            long start = stream.Position;
            var (step, entries) = Shape(stream, length);
            CheckpointFields.Whole(path, "Step", step, 0, CheckpointFields.MaxStep);
            CheckpointFields.WithinBudget(path, step, stepBudget);
            if (entries > 2 * step + 3)
                throw new MediaFormatException(path, $"checkpoint header lists {entries} entries at step {step}, more than a run writes by then (edited or damaged)");
            if (stepBudget is null && entries > MostEntriesWithoutStepBudget)
                throw new MediaFormatException(path, $"checkpoint header lists {entries} entries, more than a run keeps ({MostEntriesWithoutStepBudget}; edited or damaged, " +
                                                     "or written before the lists were thinned: resume it with --steps, not --minutes)");
            long most = FixedBytes + entries * EntryBytes;
            if (length > most)
                throw new MediaFormatException(path, $"checkpoint header is {length} bytes, more than its {entries} list entries take (at most {most}; edited or damaged)");
            stream.Position = start;
            var bytes = reader.ReadBytes(length);
            if (bytes.Length != length) throw new EndOfStreamException();
            var header = JsonSerializer.Deserialize<T>(bytes, json) ?? throw new FormatException(); // the JSON null
            return (header, reader);
        }
        catch (JsonException e)
        {
            // The magic is a checkpoint's, so the header was damaged or edited: said so, with the field where it broke
            // (the serializer's path; the scan's field under way) and the reason without its byte position.
            string problem = e.Message;
            foreach (var tail in new[] { " Path: ", " LineNumber: " })
                if (problem.IndexOf(tail, StringComparison.Ordinal) is >= 0 and var cut) problem = problem[..cut];
            problem = PrintableText.Excerpt(problem.Trim(), 120);
            throw new MediaFormatException(path, e.Path is { Length: > 2 } field
                ? $"checkpoint field {PrintableText.Excerpt(field[2..], 64)} is not a value of its kind ({problem}); edited or damaged"
                : $"checkpoint header is not valid JSON{(e.Data[FieldKey] is string name ? $" at field {PrintableText.Excerpt(name, 64)}" : "")} ({problem}); edited or damaged");
        }
    }

    /// <summary>Where <see cref="Shape"/> puts the top-level field under way in the JSON error it lets through.</summary>
    private const string FieldKey = "MatteKit.CheckpointField";

    /// <summary>
    /// The header's step and the number of entries in its top-level lists, read through a buffer of
    /// <see cref="ScanBufferBytes"/> whatever the header's length.
    /// </summary>
    /// <exception cref="FormatException">No whole-number Step, or a token longer than the buffer.</exception>
    /// <exception cref="JsonException">Not JSON, or nested deeper than a header is.</exception>
    private static (long Step, long Entries) Shape(Stream stream, int length)
    {
        var buffer = new byte[ScanBufferBytes];
        // Entries (depth 2) hold at most a losses object (depth 3) and its numbers.
        var state = new JsonReaderState(new JsonReaderOptions { MaxDepth = 4 });
        int held = 0;
        long left = length, entries = 0;
        long? step = null;
        bool atStep = false, inList = false;
        string? field = null;
        try
        {
            while (true)
            {
                int read = stream.Read(buffer, held, (int)Math.Min(buffer.Length - held, left));
                if (read == 0 && left > 0) throw new EndOfStreamException();
                held += read;
                left -= read;
                var json = new Utf8JsonReader(buffer.AsSpan(0, held), isFinalBlock: left == 0, state);
                while (json.Read())
                {
                    if (json.CurrentDepth == 1)
                    {
                        if (json.TokenType == JsonTokenType.PropertyName)
                        {
                            field = Encoding.UTF8.GetString(json.ValueSpan[..Math.Min(json.ValueSpan.Length, 64)]);
                            atStep = json.ValueTextEquals("Step"u8);
                            continue;
                        }
                        if (atStep) step = json.TokenType == JsonTokenType.Number && json.TryGetInt64(out long s) ? s : throw new JsonException("expected a whole number", "$.Step", null, null);
                        atStep = false;
                        if (json.TokenType is JsonTokenType.StartArray or JsonTokenType.EndArray) inList = json.TokenType == JsonTokenType.StartArray;
                    }
                    else if (json.CurrentDepth == 2 && inList && json.TokenType is not (JsonTokenType.EndObject or JsonTokenType.EndArray))
                    {
                        entries++;
                    }
                }
                state = json.CurrentState;
                int consumed = (int)json.BytesConsumed;
                held -= consumed;
                Buffer.BlockCopy(buffer, consumed, buffer, 0, held);
                if (left == 0) break;
                if (held == buffer.Length) throw new FormatException();
            }
        }
        catch (JsonException e)
        {
            // The reader's error gives a byte position; the field is what a person who edited the header looks for.
            if (field is not null) e.Data[FieldKey] = field;
            throw;
        }
        return (step ?? throw new FormatException(), entries);
    }
}
