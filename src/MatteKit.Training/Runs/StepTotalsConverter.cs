using System.Text.Json;
using System.Text.Json.Serialization;

namespace MatteKit.Training.Runs;

/// <summary>
/// A BGMv2 checkpoint's list of step totals: written as <c>{"Step":N,"Total":X}</c> objects; read from those or from
/// the bare numbers of checkpoints written before the steps were kept (their step is <see cref="StepTotal.Unnumbered"/> here, numbered from their
/// places by <see cref="BgmCheckpoint"/>, which an unthinned list's places say).
/// </summary>
internal sealed class StepTotalsConverter : JsonConverter<List<StepTotal>>
{
    public override List<StepTotal>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("expected a list");
        var totals = new List<StepTotal>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            totals.Add(reader.TokenType is JsonTokenType.Number or JsonTokenType.String
                // An older checkpoint's bare total ("NaN" and the like are strings under the checkpoint's options).
                ? new StepTotal(StepTotal.Unnumbered, JsonSerializer.Deserialize<double>(ref reader, options))
                : JsonSerializer.Deserialize<StepTotal>(ref reader, options)!);
        return totals;
    }

    public override void Write(Utf8JsonWriter writer, List<StepTotal> value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var total in value) JsonSerializer.Serialize(writer, total, options);
        writer.WriteEndArray();
    }
}
