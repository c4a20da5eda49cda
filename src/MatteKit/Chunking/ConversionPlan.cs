using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using MatteKit.Conversion;
using MatteKit.Media;
using MatteKit.Media.Ffmpeg;

namespace MatteKit.Chunking;

/// <summary>
/// A conversion cut into chunks that any worker can do in any order (<c>mattekit plan</c>): the input as it was when
/// planned (size, modification time, frames, rate, audio), the options every chunk is converted with, the outputs,
/// and the chunks. Deterministic: the same input and options give the same plan. Each chunk writes its segments
/// into <see cref="Segments"/> (<see cref="ChunkRunner"/>); <see cref="PlanJoiner"/> joins them into the outputs.
/// </summary>
internal sealed record ConversionPlan
{
    /// <summary>3: a person pass (<see cref="Subject"/>) and <see cref="ConvertOptions.Priming"/> (a format-2 plan's chunks were not primed).</summary>
    public const int CurrentFormat = 3;

    /// <summary>The most chunks a plan may hold (each is a job on a cluster).</summary>
    public const int MaxChunks = 100_000;

    private static readonly JsonSerializerOptions Json = PlanJson.Options;

    public int Format { get; init; } = CurrentFormat;
    public required string Input { get; init; }
    public long InputBytes { get; init; }
    public DateTime InputModifiedUtc { get; init; }
    public int Frames { get; init; }
    public required string FrameRate { get; init; }
    public bool HasAudio { get; init; }
    /// <summary>
    /// The frames each chunk but the last holds (the last may hold fewer): at most <see cref="Frames"/> in a plan made
    /// now; a plan made before may hold the --chunk-frames given, larger (<see cref="HeldFrames"/>).
    /// </summary>
    public int ChunkFrames { get; init; }
    public int Warmup { get; init; }
    public WarmupOrder WarmupOrder { get; init; }
    /// <summary>How every chunk is converted: the options as given, less what each chunk sets for itself (<see cref="PlanJson"/>).</summary>
    [JsonInclude]
    internal ConvertOptions Options { get; init; } = null!;
    public required IReadOnlyList<PlannedOutput> Outputs { get; init; }
    public required IReadOnlyList<PlanChunk> Chunks { get; init; }

    /// <summary>
    /// The chunks as the frames they hold: "1 chunk (the whole input)", "3 chunks of 10 frames", "3 chunks of 12
    /// frames (the last of 6)". <see cref="ChunkFrames"/> alone is the longest a chunk may be, which a chunk of a
    /// shorter input never is: <c>--chunk-frames 2147483647</c> was said as "1 chunk(s) of 2147483647 frames" of 30.
    /// </summary>
    [JsonIgnore]
    internal string ChunksSaid
    {
        get
        {
            if (Chunks.Count == 1) return "1 chunk (the whole input)";
            int last = Chunks[^1].Count;
            return last == Chunks[0].Count
                ? $"{Chunks.Count} chunks of {Chunks[0].Count} frames"
                : $"{Chunks.Count} chunks of {Chunks[0].Count} frames (the last of {last})";
        }
    }

    /// <summary>
    /// With a subject: the person pass, run once over the whole input when planning (<see cref="WithSubjectPass"/>),
    /// whose keep maps every chunk applies to its alpha; null = everyone.
    /// </summary>
    public PlannedSubject? Subject { get; init; }

    /// <summary>
    /// The folder the chunks' segments and done markers go to: beside the plan, named after it (never read from
    /// the plan's content, so that an edited plan cannot point the join's clean-up at another folder).
    /// </summary>
    [JsonIgnore]
    public string Segments => SegmentsFolder.For(PlanPath);

    /// <summary>
    /// A hash of everything the plan says (input identity, options, outputs, chunks): each done marker carries it,
    /// so that segments left by another plan written to the same path are never taken as this one's.
    /// </summary>
    [JsonIgnore]
    internal string Fingerprint { get; private init; } = "";

    /// <summary>Where the plan was read from or written to.</summary>
    [JsonIgnore]
    public string PlanPath { get; private init; } = "";

    /// <summary>
    /// The same plan with its person pass: run once over the whole input (<see cref="PlanSubjectPass"/>), its keep maps
    /// stored in <see cref="Segments"/>. Made before the plan is saved, so that a plan never names a pass not there.
    /// </summary>
    /// <exception cref="Subjects.SubjectChoiceException">The choice names nobody.</exception>
    internal ConversionPlan WithSubjectPass(SubjectChoice choice, IProgress<ConvertProgress>? progress, CancellationToken cancel)
    {
        bool made = !Directory.Exists(Segments);
        Directory.CreateDirectory(Segments);
        try
        {
            var subject = PlanSubjectPass.Run(Options with { Subject = choice }, Segments, Frames, progress, cancel);
            return (this with { Subject = subject }).Sealed();
        }
        catch when (made)
        {
            // The pass removed its blocks; a folder made for it alone goes too (never one that holds anything).
            try
            {
                Directory.Delete(Segments);
            }
            catch (IOException)
            {
            }
            throw;
        }
    }

    /// <summary>
    /// Whether <paramref name="other"/> (a plan left at the same path) is this plan with its person pass done: the same
    /// input, options, outputs and chunks, and a pass for the same choice, or neither has a subject.
    /// </summary>
    /// <remarks>
    /// The other's chunk length is compared as the frames its chunks hold: one written before <see cref="HeldFrames"/>
    /// stored the --chunk-frames given, and is this plan all the same (its finished chunks are kept).
    /// </remarks>
    internal bool IsThisWith(ConversionPlan other, SubjectChoice? choice)
        => (other with { Subject = null, ChunkFrames = HeldFrames(other.Frames, other.ChunkFrames) }).Sealed().Fingerprint == (this with { Subject = null }).Sealed().Fingerprint
           && other.Subject?.Choice == choice?.ToString() && other.Subject?.MaskSha256 == choice?.MaskSha256 && other.HasItsPersonPass();

    /// <summary>Whether every block of the person pass is in the segments folder as recorded (true without a subject).</summary>
    internal bool HasItsPersonPass() => Subject is not { } subject || Subjects.SubjectKeepReader.AllIntact(Segments, subject.Blocks);

    /// <summary>
    /// Checks the options once (probe, frame count, rate, outputs) and makes the plan, without writing it
    /// (<see cref="Save"/>) and without its person pass (<see cref="WithSubjectPass"/>).
    /// </summary>
    /// <exception cref="ArgumentException">An option a chunked run cannot take (one line).</exception>
    /// <exception cref="MediaFormatException">The input cannot be read or counted.</exception>
    internal static ConversionPlan Make(ConvertOptions options, int chunkFrames, int warmup, WarmupOrder order, string planPath, CancellationToken cancel = default)
    {
        options.Validate();
        if (options.Plate is not null) throw new ArgumentException("a plan runs RVM; the background-plate mode is converted in one pass");
        if (options.StartSeconds is not null || options.DurationSeconds is not null || options.Frames is not null)
            throw new ArgumentException("a plan covers the whole input: StartSeconds, DurationSeconds and Frames are the chunks' own");
        if (FrameSource.IsStream(options.Input)) throw new ArgumentException($"{options.Input}: a plan needs a file or a folder of images, not a stream");
        if (options.OutputType == OutputType.ExrSequence) throw new ArgumentException("a plan writes videos or folders of PNGs; convert EXR sequences in one pass, without workers");
        if (warmup is < 0 or > ConvertLimits.MaxWarmup) throw new ArgumentException($"Warmup must be a whole number from 0 to {ConvertLimits.MaxWarmup}, got {warmup}");
        string input = Path.GetFullPath(options.Input);
        var outputs = new List<PlannedOutput>();
        foreach (var (role, path) in new[] { ("alpha", options.OutputAlpha), ("foreground", options.OutputForeground), ("composition", options.OutputComposition),
                     ("segmentation", options.OutputSegmentation) })
        {
            if (path is null) continue;
            var container = options.OutputType == OutputType.PngSequence ? null : VideoContainer.ForPath(path);
            if (container is null && path.EndsWith(".png", StringComparison.OrdinalIgnoreCase) && options.OutputType != OutputType.PngSequence)
                throw new ArgumentException($"{path}: a single .png is one image; a plan writes videos or folders of PNGs");
            if (container?.Name == "gif") throw new ArgumentException($"{path}: GIF segments cannot be joined without re-encoding (one palette each); convert in one pass");
            if (container is not null) OutputTarget.CheckDepth(path, container, options.BitDepth == 16);
            outputs.Add(new PlannedOutput(role, Path.GetFullPath(path), container is null));
        }

        int frames;
        string rate;
        bool audio = false;
        if (Directory.Exists(input))
        {
            frames = Directory.EnumerateFiles(input).Count(FrameSource.IsImage);
            if (frames == 0) throw new MediaFormatException(input, "folder holds no images");
            rate = Media.Ffmpeg.FrameRate.Default.ToString();
        }
        else
        {
            if (!File.Exists(input)) throw new MediaFormatException(input, "no such file or folder");
            var info = MediaProbe.Probe(input, options.ReadTimeout, cancel);
            if (info.IsVariableFrameRate)
                throw new MediaFormatException(input, "has a variable frame rate: chunks count frames of a constant-rate input (convert it to a constant rate first)");
            // The container's count where it states one; else the packets, counted (exact, no decoding).
            long count = info.FrameCount > 0 ? info.FrameCount : MediaProbe.CountVideoPackets(input, TimeSpan.FromMinutes(10), cancel);
            if (count < 1) throw new MediaFormatException(input, "holds no video frames");
            frames = (int)Math.Min(count, int.MaxValue);
            rate = info.FrameRate.ToString();
            audio = info.HasAudio;
        }
        string full = Path.GetFullPath(planPath);
        var (bytes, modified) = Identity(input);
        var plan = new ConversionPlan
        {
            Input = input, InputBytes = bytes, InputModifiedUtc = modified, Frames = frames, FrameRate = rate, HasAudio = audio,
            ChunkFrames = HeldFrames(frames, chunkFrames), Warmup = warmup, WarmupOrder = order, Options = Planned(options, input), Outputs = outputs,
            Chunks = Cut(frames, chunkFrames),
            PlanPath = full,
        };
        PlanCheck.CheckPaths(plan, options);
        return plan.Sealed();
    }

    /// <summary>The options every chunk shares: the input and the weights by their full paths (workers may start elsewhere).</summary>
    private static ConvertOptions Planned(ConvertOptions options, string input)
        => options with
        {
            Input = input,
            Matting = options.Matting with { Weights = options.Matting.Weights is { } w ? Path.GetFullPath(w) : null },
        };

    /// <summary>The same plan with chunks of another length.</summary>
    internal ConversionPlan WithChunkFrames(int chunkFrames) => (this with { ChunkFrames = HeldFrames(Frames, chunkFrames), Chunks = Cut(Frames, chunkFrames) }).Sealed();

    /// <summary>
    /// The frames a chunk of <paramref name="chunkFrames"/> holds of <paramref name="frames"/>, as the plan stores it:
    /// never more than the input's (<c>--chunk-frames 2147483647</c> of 30 frames was stored as 2147483647). A plan
    /// stored so still loads as it is: <see cref="ChunkFrames"/> is only recorded (the chunks are the plan's own list),
    /// and its fingerprint, which its done markers carry, is kept.
    /// </summary>
    private static int HeldFrames(int frames, int chunkFrames) => Math.Min(frames, chunkFrames);

    private ConversionPlan Sealed()
        => this with { Fingerprint = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(this, Json)))).ToLowerInvariant() };

    /// <summary>
    /// The options a chunk is converted with, its outputs at the paths <paramref name="placed"/> gives (the final
    /// ones, or a chunk's working files).
    /// </summary>
    /// <exception cref="MediaFormatException">A damaged option or output role, named with the plan file.</exception>
    internal ConvertOptions ChunkOptions(Func<PlannedOutput, string> placed)
    {
        var options = Options with
        {
            Input = Input, OutputAlpha = null, OutputForeground = null, OutputComposition = null, OutputSegmentation = null, OutputType = OutputType.Auto,
            StartSeconds = null, DurationSeconds = null, Frames = null, Warmup = 0, Plate = null, Subject = null,
            StoredSubject = Subject is { } subject ? new Subjects.StoredSubject(Segments, subject.Blocks, Frames, subject.Choice) : null,
        };
        foreach (var output in Outputs)
            options = output.Role switch
            {
                "alpha" => options with { OutputAlpha = placed(output) },
                "foreground" => options with { OutputForeground = placed(output) },
                "composition" => options with { OutputComposition = placed(output) },
                "segmentation" => options with { OutputSegmentation = placed(output) },
                _ => throw new MediaFormatException(PlanPath, $"names an output role '{output.Role}' this version does not know"),
            };
        return options;
    }

    /// <summary>Writes the plan to <see cref="PlanPath"/> (temporary name, then rename).</summary>
    internal void Save() => OutputFile.WriteAllText(PlanPath, JsonSerializer.Serialize(this, Json));

    private static List<PlanChunk> Cut(int frames, int chunkFrames)
    {
        if (chunkFrames < 1) throw new ArgumentException($"ChunkFrames must be at least 1, got {chunkFrames}");
        long count = (frames + (long)chunkFrames - 1) / chunkFrames;
        if (count > MaxChunks)
            throw new ArgumentException($"ChunkFrames {chunkFrames} cuts {frames} frames into {count} chunks, more than {MaxChunks}; give larger chunks");
        return Enumerable.Range(0, (int)count).Select(k => new PlanChunk(k, k * chunkFrames, (int)Math.Min(frames, (long)(k + 1) * chunkFrames))).ToList();
    }

    /// <exception cref="MediaFormatException">Not a plan this version reads.</exception>
    public static ConversionPlan Load(string planPath)
    {
        string full = Path.GetFullPath(planPath);
        if (!File.Exists(full)) throw new MediaFormatException(planPath, "no such plan (make one with mattekit plan)");
        using var document = JsonOf(InputFile.ReadAllBytes(full, MaxPlanBytes, "a plan"), full);
        // The format first: a plan another version wrote is told as such, not as damaged fields.
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new MediaFormatException(full, "is not a MatteKit plan (not a JSON object)");
        if (!(root.TryGetProperty("format", out var format) && format.TryGetInt32(out int version) && version == CurrentFormat))
            throw new MediaFormatException(full, $"is not a plan of format {CurrentFormat} (made by another MatteKit version?); plan again");
        ConversionPlan? plan;
        try
        {
            plan = root.Deserialize<ConversionPlan>(Json);
        }
        catch (JsonException e)
        {
            // A field our converters refused says what it holds; the serializer's own messages end with the path.
            throw PlanJson.Field(e) is not { } field ? new MediaFormatException(full, $"is not a MatteKit plan ({e.Message})")
                : e.Message.Contains(" Path: ", StringComparison.Ordinal) ? PlanCheck.Damaged(full, field, "is not a value of its kind, or not a field of a plan")
                : PlanCheck.Damaged(full, field, e.Message);
        }
        if (plan is null) throw new MediaFormatException(full, "is not a MatteKit plan (null)");
        plan = plan with { PlanPath = full };
        PlanCheck.Check(plan);
        return plan.Sealed();
    }

    /// <summary>The plan's bytes as JSON, read once (the format is looked at before the fields are).</summary>
    private static JsonDocument JsonOf(byte[] bytes, string path)
    {
        try
        {
            return JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw new MediaFormatException(path, $"is not a MatteKit plan ({e.Message})");
        }
    }

    /// <summary>The largest plan file read: its chunks at their most, with room to spare.</summary>
    private const long MaxPlanBytes = 64L << 20;

    /// <summary>The chunk with this index.</summary>
    /// <exception cref="ArgumentException">Out of range.</exception>
    public PlanChunk Chunk(int index)
        => index >= 0 && index < Chunks.Count ? Chunks[index]
            : throw new ArgumentException($"Index {index} is out of range: {PlanPath} has {Chunks.Count} chunk(s), 0 to {Chunks.Count - 1}");

    /// <exception cref="MediaFormatException">The input is gone or not the one planned (another size or modification time).</exception>
    public void CheckInput()
    {
        if (!File.Exists(Input) && !Directory.Exists(Input)) throw new MediaFormatException(Input, "is gone since it was planned");
        if (Identity(Input) != (InputBytes, InputModifiedUtc))
            throw new MediaFormatException(Input, $"changed since it was planned (size or modification time); plan again ({PlanPath})");
    }

    internal string SegmentPath(PlannedOutput output, PlanChunk chunk) => Path.Combine(Segments, SegmentsFolder.Segment(output.Role, chunk.Index, output.Extension));

    internal string MarkerPath(PlanChunk chunk) => Path.Combine(Segments, SegmentsFolder.Marker(chunk.Index));

    /// <summary>What a done marker says: the chunk, and the plan it was done for.</summary>
    internal string MarkerText(PlanChunk chunk)
        => $"{{\"index\": {chunk.Index}, \"start\": {chunk.Start}, \"end\": {chunk.End}, \"plan\": \"{Fingerprint}\", \"host\": {JsonSerializer.Serialize(Environment.MachineName)}}}\n";

    /// <summary>
    /// Whether the chunk is done for this plan: its marker (written last) names this plan, each video segment is
    /// there and each folder segment holds the chunk's frames. Video segments' frames are counted by
    /// <see cref="SegmentProblem"/>.
    /// </summary>
    public bool IsDone(PlanChunk chunk) => SegmentProblem(chunk, countVideoFrames: false) is null;

    /// <summary>Null when the chunk is done; else why it must be converted (again), as one phrase.</summary>
    /// <param name="chunk">The chunk whose marker and segments are checked.</param>
    /// <param name="countVideoFrames">Count each video segment's frames too (ffprobe, one call per segment).</param>
    /// <param name="cancel">Stops between segments.</param>
    internal string? SegmentProblem(PlanChunk chunk, bool countVideoFrames, CancellationToken cancel = default)
    {
        string marker = MarkerPath(chunk);
        if (!File.Exists(marker)) return "not done";
        if (!MarkerNamesThisPlan(marker)) return "done for another plan written to this path";
        foreach (var output in Outputs)
        {
            string segment = SegmentPath(output, chunk);
            if (output.IsFolder)
            {
                if (!Directory.Exists(segment)) return $"{segment} is missing";
                int frames = Directory.EnumerateFiles(segment, "*.png").Count();
                if (frames != chunk.Count) return $"{segment} holds {frames} frame(s) where the chunk has {chunk.Count}";
            }
            else if (!File.Exists(segment))
            {
                return $"{segment} is missing";
            }
            else if (countVideoFrames)
            {
                long frames;
                try
                {
                    frames = MediaProbe.CountVideoPackets(segment, TimeSpan.FromMinutes(10), cancel);
                }
                catch (MediaFormatException e)
                {
                    return e.Message;
                }
                if (frames != chunk.Count) return $"{segment} holds {frames} frame(s) where the chunk has {chunk.Count}";
            }
        }
        return null;
    }

    /// <summary>
    /// Whether this plan was joined: the join's record (<see cref="SegmentsFolder.Joined"/>) names this plan, and
    /// every output is there (a folder with every frame). A plan written again to the same path is not joined,
    /// whatever the outputs of the plan before it.
    /// </summary>
    internal bool IsJoined()
        => MarkerNamesThisPlan(JoinedPath)
           && Outputs.All(o => o.IsFolder ? Directory.Exists(o.Path) && Directory.EnumerateFiles(o.Path, "*.png").Count() == Frames : File.Exists(o.Path));

    /// <summary>Records that this plan is joined (written once every output is in place).</summary>
    internal void RecordJoined() => OutputFile.WriteAllText(JoinedPath, $"{{\"plan\": \"{Fingerprint}\"}}\n");

    private string JoinedPath => Path.Combine(Segments, SegmentsFolder.Joined);

    /// <summary>Whether a marker or the join's record names this plan's fingerprint.</summary>
    private bool MarkerNamesThisPlan(string marker)
    {
        if (!File.Exists(marker)) return false;
        try
        {
            using var json = JsonDocument.Parse(InputFile.ReadAllBytes(marker, 4096, "a done marker"));
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("plan", out var plan)
                   && plan.ValueKind == JsonValueKind.String && plan.GetString() == Fingerprint;
        }
        catch (Exception e) when (e is JsonException or MediaFormatException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>A file's size and modification time; a folder's image count and modification time.</summary>
    private static (long, DateTime) Identity(string path)
        => Directory.Exists(path)
            ? (Directory.EnumerateFiles(path).LongCount(), Directory.GetLastWriteTimeUtc(path))
            : (new FileInfo(path).Length, File.GetLastWriteTimeUtc(path));
}
