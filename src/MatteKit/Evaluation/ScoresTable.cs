using System.Globalization;
using System.Text;
using MatteKit.Metrics;

namespace MatteKit.Evaluation;

/// <summary>Plain-text, CSV and JSON forms of <see cref="DatasetScores"/>.</summary>
internal static class ScoresTable
{
    /// <summary>Number format per metric: enough digits to compare methods at the paper's precision.</summary>
    public static string Format(double value) => double.IsNaN(value) ? "-" : value.ToString("0.0000", CultureInfo.InvariantCulture);

    /// <summary>One row per clip (its mean over frames), then the mean over clips.</summary>
    public static string ToText(DatasetScores scores)
    {
        int nameWidth = Math.Max(4, scores.Clips.Max(c => c.Name.Length));
        var sb = new StringBuilder();
        sb.Append("clip".PadRight(nameWidth)).Append("  frames");
        foreach (var n in MetricValues.Names) sb.Append(n.PadLeft(10));
        sb.AppendLine();
        void Row(string name, string frames, MetricValues v)
        {
            sb.Append(name.PadRight(nameWidth)).Append(frames.PadLeft(8));
            foreach (var (_, value) in v.Named()) sb.Append(Format(value).PadLeft(10));
            sb.AppendLine();
        }
        foreach (var clip in scores.Clips) Row(clip.Name, clip.Frames.Count.ToString(CultureInfo.InvariantCulture), clip.Mean);
        Row("mean", scores.Clips.Sum(c => c.Frames.Count).ToString(CultureInfo.InvariantCulture), scores.Mean);
        return sb.ToString();
    }

    /// <summary>Rows: every frame, each clip's mean (frame "mean"), and the dataset mean (clip "mean").</summary>
    public static string ToCsv(DatasetScores scores)
    {
        var sb = new StringBuilder("clip,frame," + string.Join(',', MetricValues.Names) + "\n");
        void Row(string clip, string frame, MetricValues v)
            => sb.Append(Quote(clip)).Append(',').Append(Quote(frame)).Append(',')
                .AppendJoin(',', v.Named().Select(n => double.IsNaN(n.Value) ? "" : n.Value.ToString("R", CultureInfo.InvariantCulture)))
                .Append('\n');
        foreach (var clip in scores.Clips)
        {
            foreach (var f in clip.Frames) Row(clip.Name, f.Name, f.Values);
            Row(clip.Name, "mean", clip.Mean);
        }
        Row("mean", "", scores.Mean);
        return sb.ToString();
    }

    public static string ToJson(DatasetScores scores)
    {
        var sb = new StringBuilder();
        sb.Append("{\n  \"units\": \"MAD, MSE, FgrMSE, FgrMAD x1e3; Grad, Conn /1e3; dtSSD x1e2; J, F, J&F in [0, 1]; null = not measured\",\n");
        sb.Append("  \"mean\": ").Append(Values(scores.Mean)).Append(",\n  \"clips\": [\n");
        for (int c = 0; c < scores.Clips.Count; c++)
        {
            var clip = scores.Clips[c];
            sb.Append("    {\"name\": ").Append(JsonString(clip.Name)).Append(", \"mean\": ").Append(Values(clip.Mean)).Append(", \"frames\": [\n");
            for (int f = 0; f < clip.Frames.Count; f++)
            {
                sb.Append("      {\"name\": ").Append(JsonString(clip.Frames[f].Name)).Append(", \"scores\": ").Append(Values(clip.Frames[f].Values)).Append('}');
                sb.Append(f + 1 < clip.Frames.Count ? ",\n" : "\n");
            }
            sb.Append("    ]}").Append(c + 1 < scores.Clips.Count ? ",\n" : "\n");
        }
        sb.Append("  ]\n}\n");
        return sb.ToString();
    }

    private static string Values(MetricValues v)
        => "{" + string.Join(", ", v.Named().Select(n => $"{JsonString(n.Name)}: " +
            (double.IsNaN(n.Value) ? "null" : n.Value.ToString("R", CultureInfo.InvariantCulture)))) + "}";

    private static string JsonString(string s) => System.Text.Json.JsonSerializer.Serialize(s);

    private static string Quote(string s) => s.IndexOfAny([',', '"', '\n']) < 0 ? s : "\"" + s.Replace("\"", "\"\"") + "\"";
}
