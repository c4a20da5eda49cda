using System.Text.Json;

namespace MatteKit.Live;

/// <summary>The stats' names as <c>--stats</c> writes them and the preview page reads them: one list for both.</summary>
internal static class LiveStatsJson
{
    public static void WriteCounts(Utf8JsonWriter json, LiveStats stats)
    {
        json.WriteNumber("frames_in", stats.FramesIn);
        json.WriteNumber("frames_out", stats.FramesOut);
        json.WriteNumber("dropped", stats.Dropped);
        json.WriteNumber("dropped_at_start", stats.DroppedAtStart);
        json.WriteNumber("dropped_late", stats.DroppedLate);
        json.WriteStartObject("latency_ms");
        json.WriteNumber("p50", Math.Round(stats.LatencyP50Ms, 1));
        json.WriteNumber("p95", Math.Round(stats.LatencyP95Ms, 1));
        json.WriteNumber("max", Math.Round(stats.LatencyMaxMs, 1));
        json.WriteEndObject();
        json.WriteNumber("fps_in", Math.Round(stats.FpsIn, 2));
        json.WriteNumber("fps_out", Math.Round(stats.FpsOut, 2));
        json.WriteNumber("network_ms", Math.Round(stats.NetworkMs, 2));
        json.WriteNumber("first_output_ms", Math.Round(stats.FirstOutputMs, 1));
        json.WriteNumber("downsample_ratio", stats.DownsampleRatio);
        json.WriteString("input_size", $"{stats.Width}x{stats.Height}");
        json.WriteString("network_size", $"{stats.NetworkWidth}x{stats.NetworkHeight}");
        json.WriteNumber("resets", stats.Resets);
        json.WriteNumber("scene_cuts", stats.SceneCuts);
        json.WriteBoolean("matted_at_half_size", stats.MattedAtHalfSize);
        json.WriteBoolean("network_side_remembered", stats.NetworkSideRemembered);
        json.WriteNumber("ratio_changes", stats.RatioChanges);
        json.WriteNumber("sessions_built", stats.SessionsBuilt);
    }
}
