using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using MatteKit.Conversion;

namespace MatteKit.Chunking;

/// <summary>
/// How a plan is written and read: the options records as they are (<see cref="ConvertOptions"/> with its
/// <see cref="MattingSettings"/>), snake_case, enums by name only, a background and a size as the text a user
/// writes. What each chunk sets for itself (its outputs, its frames and warm-up) and what a plan refuses (plate mode,
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
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false), new BackgroundText(), new SizeText() },
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { LeaveOutChunkOwnFields } },
    };

    private static void LeaveOutChunkOwnFields(JsonTypeInfo info)
    {
        if (info.Type != typeof(ConvertOptions)) return;
        for (int i = info.Properties.Count - 1; i >= 0; i--)
            if (info.Properties[i].AttributeProvider is System.Reflection.MemberInfo member && ChunkOwnFields.Contains(member.Name))
                info.Properties.RemoveAt(i);
    }

    /// <summary>A background as its text (<see cref="Background.Parse"/>).</summary>
    private sealed class BackgroundText : JsonConverter<Background>
    {
        public override Background Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            try
            {
                return Background.Parse(reader.GetString() ?? throw new JsonException());
            }
            catch (ArgumentException)
            {
                throw new JsonException(); // the serializer's message names the field
            }
        }

        public override void Write(Utf8JsonWriter writer, Background value, JsonSerializerOptions options) => writer.WriteStringValue(value.Text);
    }

    /// <summary>A frame size as <c>WxH</c>, both sides positive.</summary>
    private sealed class SizeText : JsonConverter<(int Width, int Height)>
    {
        public override (int Width, int Height) Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var parts = (reader.TokenType == JsonTokenType.String ? reader.GetString() : null)?.Split('x');
            return parts is { Length: 2 } && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int width)
                   && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int height) && width > 0 && height > 0
                ? (width, height)
                : throw new JsonException(); // the serializer's message names the field
        }

        public override void Write(Utf8JsonWriter writer, (int Width, int Height) value, JsonSerializerOptions options)
            => writer.WriteStringValue($"{value.Width}x{value.Height}");
    }
}
