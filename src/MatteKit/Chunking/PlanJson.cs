using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using MatteKit.Conversion;
using MatteKit.Media;

namespace MatteKit.Chunking;

/// <summary>
/// How a plan is written and read: the options records as they are (<see cref="ConvertOptions"/> with its
/// <see cref="MattingSettings"/>), snake_case, enums by name only, a background and a size as the text a user
/// writes. A value that is none of these throws a <see cref="JsonException"/> whose message says what the field holds
/// and what it may hold (<see cref="Field"/> names the field). What each chunk sets for itself (its outputs, its frames and warm-up) and what a plan refuses (plate mode,
/// a subject) is left out of the options, so that a plan can neither carry nor smuggle them in.
/// </summary>
internal static class PlanJson
{
    private static readonly HashSet<string> ChunkOwnFields = new(StringComparer.Ordinal)
    {
        nameof(ConvertOptions.OutputAlpha), nameof(ConvertOptions.OutputForeground), nameof(ConvertOptions.OutputComposition),
        nameof(ConvertOptions.OutputSegmentation), nameof(ConvertOptions.OutputType), nameof(ConvertOptions.StartSeconds),
        nameof(ConvertOptions.DurationSeconds), nameof(ConvertOptions.Frames), nameof(ConvertOptions.Warmup),
        nameof(ConvertOptions.Plate), nameof(ConvertOptions.Subject),
    };

    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new EnumNames(), new BackgroundText(), new SizeText() },
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { LeaveOutChunkOwnFields } },
        // A field the plan does not have (a chunk's own, plate mode, a subject, a typo) is refused, not ignored.
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private static void LeaveOutChunkOwnFields(JsonTypeInfo info)
    {
        if (info.Type != typeof(ConvertOptions)) return;
        for (int i = info.Properties.Count - 1; i >= 0; i--)
            if (info.Properties[i].AttributeProvider is System.Reflection.MemberInfo member && ChunkOwnFields.Contains(member.Name))
                info.Properties.RemoveAt(i);
    }

    /// <summary>The field a <see cref="JsonException"/> is about (<c>options.matting.model</c>); null when it does not say.</summary>
    public static string? Field(JsonException error) => error.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : null;

    /// <summary>Enums by their snake_case names only (no numbers): a wrong one is named with the choices.</summary>
    private sealed class EnumNames : JsonConverterFactory
    {
        public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

        public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options)
            => (JsonConverter)Activator.CreateInstance(typeof(EnumName<>).MakeGenericType(typeToConvert))!;
    }

    private sealed class EnumName<T> : JsonConverter<T> where T : struct, Enum
    {
        private static readonly Dictionary<string, T> Values = Enum.GetValues<T>().ToDictionary(v => Name(v), v => v, StringComparer.Ordinal);

        public override bool HandleNull => true;

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Null) throw new JsonException("is missing");
            string? text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            return text is not null && Values.TryGetValue(text, out var value) ? value
                : throw new JsonException($"is {(text is null ? $"a {reader.TokenType.ToString().ToLowerInvariant()}" : $"'{PrintableText.Excerpt(text)}'")}, not one of {string.Join(", ", Values.Keys)}");
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(Name(value));

        private static string Name(T value) => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());
    }

    /// <summary>A background as its text (<see cref="Background.Parse"/>).</summary>
    private sealed class BackgroundText : JsonConverter<Background>
    {
        public override Background Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String || reader.GetString() is not { } text) throw new JsonException("is not a background's text");
            try
            {
                return Background.Parse(text);
            }
            catch (ArgumentException e)
            {
                throw new JsonException($"is not a background ({e.Message})");
            }
        }

        public override void Write(Utf8JsonWriter writer, Background value, JsonSerializerOptions options) => writer.WriteStringValue(value.Text);
    }

    /// <summary>A frame size as <c>WxH</c>, both sides positive.</summary>
    private sealed class SizeText : JsonConverter<(int Width, int Height)>
    {
        public override (int Width, int Height) Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            string? text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            var parts = text?.Split('x');
            return parts is { Length: 2 } && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int width)
                   && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int height) && width > 0 && height > 0
                ? (width, height)
                : throw new JsonException($"is {(text is null ? "not text" : $"'{PrintableText.Excerpt(text)}'")}, not WxH (two positive whole numbers)");
        }

        public override void Write(Utf8JsonWriter writer, (int Width, int Height) value, JsonSerializerOptions options)
            => writer.WriteStringValue($"{value.Width}x{value.Height}");
    }
}
