using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MatteKit.Conversion;

namespace MatteKit.Cli.Serve;

/// <summary>
/// A job's <c>options</c> part (JSON: convert's option names without dashes, snake_case) made into the
/// <see cref="ConvertOptions"/> that <c>mattekit convert</c> would make of the same flags: each value is handed to
/// convert's own parser as <c>--flag=value</c> (one token: a value can never be read as another option), then
/// <see cref="ConvertCommand.ReadOptions"/> checks them, so an error is the same one line the CLI gives. Only the
/// options below are taken: none names a file on this machine (no weights, masks or background files: a request
/// must not make the server open, or say whether there is, a file; an image background is uploaded with the job),
/// none reads a URL, and the server's own bounds (largest frame, read timeout) are not the client's.
/// <c>outputs</c> maps a role to a format: <c>{"composition": "mp4", "alpha": "webm"}</c>; each output is written to
/// the job's folder under the role's name.
/// </summary>
internal static class JobOptionsJson
{
    /// <summary>The JSON names taken, each with convert's flag.</summary>
    private static readonly Dictionary<string, string> Flags = new(StringComparer.Ordinal)
    {
        ["background"] = "--background", ["downsample_ratio"] = "--downsample-ratio", ["model"] = "--model", ["refiner"] = "--refiner",
        ["threads"] = "--threads", ["mask_smoothing"] = "--mask-smoothing", ["mask_edge"] = "--mask-edge", ["subject"] = "--subject",
        ["subject_frame"] = "--subject-frame", ["subject_time"] = "--subject-time", ["crf"] = "--crf", ["output_video_mbps"] = "--output-video-mbps",
        ["x264_preset"] = "--x264-preset", ["input_resize"] = "--input-resize", ["seq_chunk"] = "--seq-chunk", ["start"] = "--start",
        ["duration"] = "--duration", ["no_audio"] = "--no-audio", ["segmentation_threshold"] = "--segmentation-threshold",
        ["priming"] = "--priming", ["alpha_choke"] = "--alpha-choke", ["alpha_feather"] = "--alpha-feather", ["alpha_levels"] = "--alpha-levels",
        ["foreground"] = "--foreground", ["bit_depth"] = "--bit-depth", ["alpha_mode"] = "--alpha-mode", ["precision"] = "--precision",
    };

    /// <summary>
    /// The names whose value is a number, taken only as a JSON number: <c>"16"</c> for <c>bit_depth</c> is a client's
    /// mistake the JSON itself shows, so it is told rather than guessed at. <c>downsample_ratio</c> is a number or
    /// <c>"auto"</c>, <c>no_audio</c> true or false, the rest strings (words in any case, as on the command line).
    /// </summary>
    private static readonly HashSet<string> Numbers = new(StringComparer.Ordinal)
    {
        "threads", "mask_smoothing", "crf", "output_video_mbps", "seq_chunk", "start", "duration", "segmentation_threshold",
        "priming", "alpha_choke", "alpha_feather", "bit_depth", "subject_frame", "subject_time",
    };

    /// <summary>The outputs a job may ask for, each with its flag.</summary>
    private static readonly Dictionary<string, string> Roles = new(StringComparer.Ordinal)
    {
        ["composition"] = "--output-composition", ["alpha"] = "--output-alpha", ["foreground"] = "--output-foreground",
        ["segmentation"] = "--output-segmentation",
    };

    /// <summary>The formats of an output: one file each (a folder of PNGs cannot be served as one file); png for an image input.</summary>
    private static readonly string[] Formats = { "mp4", "m4v", "mkv", "webm", "mov", "gif", "png" };

    /// <summary>The names <c>options</c> takes besides <c>outputs</c>, for the OpenAPI document and messages.</summary>
    public static IEnumerable<string> Names => Flags.Keys;

    /// <summary>The options of a job whose input is <paramref name="input"/>, outputs in <paramref name="folder"/>.</summary>
    /// <param name="json">The options part.</param>
    /// <param name="input">The input's path in the job's folder (it need not exist yet).</param>
    /// <param name="folder">The job's folder.</param>
    /// <param name="background">An uploaded background image's path in the folder, or null.</param>
    /// <exception cref="UsageException">One line, as the CLI says it.</exception>
    public static ConvertOptions Read(ReadOnlySpan<byte> json, string input, string folder, string? background)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 4 });
        }
        catch (JsonException e)
        {
            throw new UsageException($"options: not JSON ({e.Message.Split('\n')[0].TrimEnd('.')})");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new UsageException("options must be a JSON object, e.g. {\"background\": \"white\", \"outputs\": {\"composition\": \"mp4\"}}");
            var args = new List<string> { "convert", $"--input-source={input}" };
            bool anyOutput = false;
            foreach (var property in root.EnumerateObject())
            {
                if (property.Name == "outputs")
                {
                    anyOutput = AddOutputs(property.Value, folder, args);
                    continue;
                }
                if (!Flags.TryGetValue(property.Name, out var flag))
                    throw new UsageException($"options: unknown option '{property.Name}' (taken: outputs, {string.Join(", ", Flags.Keys)})");
                if (property.Name == "background" && background is not null)
                    throw new UsageException("give the background either as the part 'background' (an image) or in options, not both");
                if (Value(property, flag) is { } token) args.Add(token);
            }
            if (!anyOutput) throw new UsageException("options: no output requested: give outputs, e.g. {\"composition\": \"mp4\"}");
            if (background is not null) args.Add($"--background={background}");
            return Parse(args);
        }
    }

    private static bool AddOutputs(JsonElement outputs, string folder, List<string> args)
    {
        if (outputs.ValueKind != JsonValueKind.Object)
            throw new UsageException("outputs must be an object of role and format, e.g. {\"composition\": \"mp4\", \"alpha\": \"webm\"}");
        bool any = false;
        foreach (var output in outputs.EnumerateObject())
        {
            if (!Roles.TryGetValue(output.Name, out var flag))
                throw new UsageException($"outputs: unknown output '{output.Name}' (taken: {string.Join(", ", Roles.Keys)})");
            string? format = output.Value.ValueKind == JsonValueKind.String ? output.Value.GetString() : null;
            if (format is null || !Formats.Contains(format))
                throw new UsageException($"outputs: {output.Name} must be one of {string.Join(", ", Formats)}");
            args.Add($"{flag}={Path.Combine(folder, $"{output.Name}.{format}")}");
            any = true;
        }
        return any;
    }

    /// <summary>The one token that sets <paramref name="flag"/> to the property's value; null for a flag set to false.</summary>
    private static string? Value(JsonProperty property, string flag)
    {
        var value = property.Value;
        if (flag == "--no-audio")
        {
            return value.ValueKind switch
            {
                JsonValueKind.True => flag,
                JsonValueKind.False => null,
                _ => throw new UsageException($"{property.Name} must be true or false, got {Shown(value)}"),
            };
        }
        string name = property.Name;
        string text = (value.ValueKind, name) switch
        {
            (JsonValueKind.Number, "downsample_ratio") => value.GetRawText(),
            (JsonValueKind.String, "downsample_ratio") when "auto".Equals(value.GetString(), StringComparison.OrdinalIgnoreCase) => value.GetString()!,
            (_, "downsample_ratio") => throw new UsageException($"{name} must be a number or \"auto\", got {Shown(value)}"),
            // Spelt with a fraction or an exponent; a whole number out of range gets convert's range line below.
            (JsonValueKind.Number, _) when WholeNumbers.Value.Contains(name) && value.GetRawText().IndexOfAny(['.', 'e', 'E']) >= 0 => throw new UsageException($"{name} must be a whole JSON number, got {Shown(value)}"),
            (JsonValueKind.Number, _) when Numbers.Contains(name) => value.GetRawText(),
            (_, _) when Numbers.Contains(name) => throw new UsageException($"{name} must be a JSON number, got {Shown(value)}"),
            // A person's index, as convert's --subject N, also as a number (it was taken so before the types were strict).
            (JsonValueKind.Number, "subject") when value.TryGetInt32(out _) => value.GetRawText(),
            (not JsonValueKind.String, "subject") => throw new UsageException($"{name} must be a string or a person's index (a whole number), got {Shown(value)}"),
            (JsonValueKind.String, _) => value.GetString()!,
            _ => throw new UsageException($"{name} must be a string, got {Shown(value)}"),
        };
        if (text.Any(char.IsControl)) throw new UsageException($"{property.Name}: control characters are not taken");
        if (flag == "--background")
        {
            // Only what names no file: a colour, blur or transparent.
            try
            {
                if (Background.Parse(text).FilePath is not null)
                    throw new UsageException($"background must be green, black, white, #RRGGBB, blur[:SIGMA] or transparent, got '{text}' (an image is uploaded as the part 'background')");
            }
            catch (ArgumentException e)
            {
                throw new UsageException(ParameterFlags.Say(e));
            }
        }
        return $"{flag}={text.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>A value as its JSON says it, a string's kind named ("the string \"16\""), cut short.</summary>
    private static string Shown(JsonElement value)
        => (value.ValueKind == JsonValueKind.String ? "the string " : "") + Media.PrintableText.Excerpt(value.GetRawText(), 40);

    // convert's options are shared objects (the convert command holds them too): one command built once, parsed by
    // one request at a time.
    private static readonly Lazy<RootCommand> Parser = new(() =>
    {
        var command = new Command("convert");
        ConvertCommand.AddOptions(command);
        return new RootCommand { command };
    });

    private static readonly object ParseGate = new();

    /// <summary>
    /// The names whose flag takes a whole number (its option is an int in convert's parser, read off it): a JSON
    /// number with a fraction or an exponent (<c>18.0</c>) is, like <c>"16"</c>, a mistake of the JSON's type, told
    /// naming the field; convert's parser would name its flag.
    /// </summary>
    private static readonly Lazy<HashSet<string>> WholeNumbers = new(() =>
    {
        var options = Parser.Value.Subcommands.Single().Options;
        return Flags.Where(f => options.Any(o => o.Name == f.Value && o.ValueType == typeof(int?))).Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
    });

    private static ConvertOptions Parse(List<string> args)
    {
        lock (ParseGate)
        {
            var parse = Parser.Value.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
            if (parse.Errors.Count > 0) throw new UsageException(UsageErrors.OneLine(parse));
            return ConvertCommand.ReadOptions(parse);
        }
    }
}
