using MatteKit.Conversion;
using MatteKit.Media;
using MatteKit.Media.Ffmpeg;
using MatteKit.Subjects;

namespace MatteKit.Chunking;

/// <summary>
/// The checks a plan passes when it is read (<c>chunk</c>, <c>join</c>, <c>slurm</c>, <c>convert --workers</c>), not
/// only when <c>plan</c> wrote it: a plan is a file anyone can edit. Every field is checked before it is used, so a
/// damaged one gives one line naming the plan and the field; the outputs get the collision checks <c>plan</c> made;
/// the chunks must cover the frames exactly once.
/// </summary>
internal static class PlanCheck
{
    private static readonly string[] Roles = { "alpha", "foreground", "composition", "segmentation" };

    /// <exception cref="MediaFormatException">The first field found damaged, or an output that would overwrite an input.</exception>
    public static void Check(ConversionPlan plan)
    {
        string at = plan.PlanPath;
        if (string.IsNullOrEmpty(plan.Input) || !Path.IsPathFullyQualified(plan.Input)) throw Damaged(at, "input", "is not an absolute path");
        if (plan.InputBytes < 0) throw Damaged(at, "input_bytes", $"is {plan.InputBytes}");
        if (plan.Frames < 1) throw Damaged(at, "frames", $"is {plan.Frames}, not a frame count");
        if (!FrameRate.TryParse(plan.FrameRate, out _)) throw Damaged(at, "frame_rate", $"is '{plan.FrameRate}', not a frame rate");
        if (plan.ChunkFrames < 1) throw Damaged(at, "chunk_frames", $"is {plan.ChunkFrames}");
        if (plan.Warmup is < 0 or > ConvertLimits.MaxWarmup) throw Damaged(at, "warmup", $"is {plan.Warmup}, not 0 to {ConvertLimits.MaxWarmup}");
        if (!Enum.IsDefined(plan.WarmupOrder)) throw Damaged(at, "warmup_order", $"is {(int)plan.WarmupOrder}");
        if (plan.Options is null) throw Damaged(at, "options", "is missing");
        if (plan.Options.Matting is null) throw Damaged(at, "options.matting", "is missing");
        if (plan.Options.Background is null) throw Damaged(at, "options.background", "is missing");
        CheckOutputs(plan);
        CheckChunks(plan);
        CheckSubject(plan);
        // Not the plan's damage: removing what is in the way is enough (not "plan again", which the catch below says).
        if (OutputInTheWay(plan) is { } inTheWay)
            throw new MediaFormatException(inTheWay.Path, $"{inTheWay.Problem}; the plan {at} needs no remaking: remove what is there and run it again");

        ConvertOptions options;
        try
        {
            options = plan.ChunkOptions(o => o.Path);
            options.Validate();
            CheckPaths(plan, options);
        }
        catch (ArgumentException e) when (FieldOf(e) is { } field)
        {
            // A value out of its bounds: named as the plan's field, the problem in the library's words.
            throw new MediaFormatException(at, $"{field} is out of bounds: {ArgumentProblem.Of(e)}; the plan is damaged (plan again)", e);
        }
        catch (ArgumentException e)
        {
            throw new MediaFormatException(at, $"{e.Message} (as its options and outputs say; plan again)", e);
        }
    }

    /// <summary>The plan's field for the option an error names (<c>options.matting.threads</c>); null for none.</summary>
    private static string? FieldOf(ArgumentException e)
    {
        if (e.ParamName is not { } name) return null;
        string snake = System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(name);
        if (typeof(MattingSettings).GetProperty(name) is not null) return $"options.matting.{snake}";
        return typeof(ConvertOptions).GetProperty(name) is not null ? $"options.{snake}" : null;
    }

    /// <summary>
    /// What <see cref="ConvertOptions.Validate"/> does not check (it keeps the outputs apart from the inputs and from
    /// each other): the plan is not written over an input or output, and nothing the conversion reads or writes lies
    /// in the segments folder, which the join clears.
    /// </summary>
    /// <exception cref="ArgumentException">One line naming the path.</exception>
    public static void CheckPaths(ConversionPlan plan, ConvertOptions options)
    {
        PathCollisions.CheckAnother(options, "the plan (PlanPath)", plan.PlanPath);
        var inputs = PathCollisions.Inputs(options);
        var outputs = PathCollisions.Outputs(options);
        foreach (var (what, path) in inputs.Concat(outputs.Select(o => ($"the {o.Option} output", o.Path))))
        {
            if (FileIdentity.IsSameOrInside(path, plan.Segments))
                throw new ArgumentException($"{path}: {what} lies in the plan's segments folder {plan.Segments}, which the join clears; put it elsewhere or name the plan otherwise");
        }
        // ffmpeg's concat list, which joins the video segments, is read line by line: a segment whose path has a line
        // break cannot be named in it, and the join failed after every chunk was converted. PNG folders are linked.
        if (plan.Outputs.Any(o => !o.IsFolder) && plan.Segments.AsSpan().IndexOfAny('\n', '\r') >= 0)
            throw new ArgumentException($"{PrintableText.Excerpt(plan.Segments)}: the plan's segments folder has a line break in its path, which ffmpeg's " +
                                        "concat list (the join of video outputs) cannot name; put the plan in a folder without one");
        if (OutputInTheWay(plan) is { } inTheWay) throw new ArgumentException($"{inTheWay.Path}: {inTheWay.Problem}");
    }

    /// <summary>
    /// The first output the join would refuse to replace (a link, to a folder too, a FIFO there) and what is there;
    /// null when none: refused when the plan is made and whenever it is read, before the chunks run.
    /// </summary>
    private static (string Path, string Problem)? OutputInTheWay(ConversionPlan plan)
    {
        if (SegmentsInTheWay(plan.Segments) is { } segments) return (plan.Segments, segments);
        // A folder of frames replaces a real folder (empty) but not a link to one.
        foreach (var output in plan.Outputs.Where(o => !(o.IsFolder && OutputFile.IsRealFolder(o.Path))))
            if (OutputFile.NotReplaceable(output.Path) is { } problem) return (output.Path, problem);
        return null;
    }

    /// <summary>
    /// What is at the segments folder's path when it is not a folder (a link to one is used as it is), as one phrase;
    /// null when a folder or nothing is there. A file there was planned over, and every chunk then failed in .NET's
    /// words ("The file '.../plan.segments' already exists.").
    /// </summary>
    private static string? SegmentsInTheWay(string segments)
    {
        if (Directory.Exists(segments)) return null;
        if (new FileInfo(segments).LinkTarget is { } target)
            return $"is a symbolic link to no folder ({PrintableText.Excerpt(target, 200)}) where the plan's segments folder goes";
        return FileIdentity.Of(segments)?.Kind is { } kind ? $"is {kind.Phrase()} where the plan's segments folder goes" : null;
    }

    private static void CheckOutputs(ConversionPlan plan)
    {
        string at = plan.PlanPath;
        if (plan.Outputs is null || plan.Outputs.Count == 0) throw Damaged(at, "outputs", "is missing or empty");
        for (int i = 0; i < plan.Outputs.Count; i++)
        {
            var output = plan.Outputs[i];
            string field = $"outputs[{i}]";
            if (output is null) throw Damaged(at, field, "is null");
            if (!Roles.Contains(output.Role, StringComparer.Ordinal)) throw Damaged(at, $"{field}.role", $"is '{output.Role}', not one of {string.Join(", ", Roles)}");
            if (plan.Outputs.Take(i).Any(o => o.Role == output.Role)) throw Damaged(at, $"{field}.role", $"repeats '{output.Role}'");
            if (string.IsNullOrEmpty(output.Path) || !Path.IsPathFullyQualified(output.Path)) throw Damaged(at, $"{field}.path", "is not an absolute path");
            if (output.IsFolder) continue;
            var container = VideoContainer.ForPath(output.Path);
            if (container is null) throw Damaged(at, $"{field}.path", $"names no video container MatteKit writes ({VideoContainer.KnownExtensions})");
            if (container.Name == "gif")
                throw Damaged(at, $"{field}.path", "is a GIF, whose segments cannot be joined without re-encoding");
        }
    }

    private static void CheckChunks(ConversionPlan plan)
    {
        string at = plan.PlanPath;
        if (plan.Chunks is null || plan.Chunks.Count == 0) throw Damaged(at, "chunks", "is missing or empty");
        if (plan.Chunks.Count > ConversionPlan.MaxChunks) throw Damaged(at, "chunks", $"holds {plan.Chunks.Count} chunks, more than {ConversionPlan.MaxChunks}");
        int next = 0;
        for (int i = 0; i < plan.Chunks.Count; i++)
        {
            var chunk = plan.Chunks[i];
            string field = $"chunks[{i}]";
            if (chunk is null) throw Damaged(at, field, "is null");
            if (chunk.Index != i) throw Damaged(at, $"{field}.index", $"is {chunk.Index} where {i} belongs");
            // Each chunk starts where the one before ended, so that together they cover [0, frames) once.
            if (chunk.Start != next) throw Damaged(at, $"{field}.start", $"is {chunk.Start} where the chunk before ends at {next} (chunks must cover every frame once)");
            if (chunk.End <= chunk.Start || chunk.End > plan.Frames) throw Damaged(at, $"{field}.end", $"is {chunk.End}, not after {chunk.Start} and at most frames ({plan.Frames})");
            next = chunk.End;
        }
        if (next != plan.Frames) throw Damaged(at, "chunks", $"end at frame {next} where the input has {plan.Frames} (chunks must cover every frame once)");
    }

    private static void CheckSubject(ConversionPlan plan)
    {
        if (plan.Subject is not { } subject) return;
        string at = plan.PlanPath;
        if (string.IsNullOrEmpty(subject.Choice) || subject.Choice.Length > 4096) throw Damaged(at, "subject.choice", "is missing or longer than 4096 characters");
        if (subject.MaskSha256 is { } mask && !(mask.Length == 64 && mask.All(char.IsAsciiHexDigitLower)))
            throw Damaged(at, "subject.mask_sha256", "is not a SHA-256 in lower-case hex");
        if (subject.Summary is null || subject.Summary.Length > 4096) throw Damaged(at, "subject.summary", "is missing or longer than 4096 characters");
        int blocks = (plan.Frames + SubjectKeepWriter.BlockFrames - 1) / SubjectKeepWriter.BlockFrames;
        if (subject.Blocks is null || subject.Blocks.Count != blocks)
            throw Damaged(at, "subject.blocks", $"holds {subject.Blocks?.Count ?? 0} hash(es) where {plan.Frames} frames take {blocks} block(s) of {SubjectKeepWriter.BlockFrames}");
        for (int i = 0; i < blocks; i++)
            if (subject.Blocks[i] is not { Length: 64 } hash || !hash.All(char.IsAsciiHexDigitLower))
                throw Damaged(at, $"subject.blocks[{i}]", "is not a SHA-256 in lower-case hex");
    }

    /// <summary>A damaged plan field, as one line naming the plan and the field.</summary>
    internal static MediaFormatException Damaged(string planPath, string field, string problem)
        => new(planPath, $"{field} {problem}; the plan is damaged (plan again)");
}
