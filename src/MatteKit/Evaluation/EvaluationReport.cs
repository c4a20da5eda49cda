using System.Globalization;
using System.Net;
using System.Text;
using MatteKit.Media;
using MatteKit.Metrics;

namespace MatteKit.Evaluation;

/// <summary>
/// One self-contained HTML page (no external files or scripts): the score table, per-frame MAD and dtSSD curves as
/// inline SVG, and the worst frames by MAD side by side (input composite when the ground truth has <c>com/</c>,
/// true alpha, predicted alpha, error heat-map), images embedded as PNG data URIs.
/// </summary>
internal static class EvaluationReport
{
    private const int WorstFrames = 3;
    private const int MaxImageWidth = 480;
    private static readonly string[] Colours = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

    public static void Write(string path, DatasetScores scores, string predicted, string truth)
    {
        var html = Build(scores, predicted, truth);
        Media.OutputFile.WriteAllText(path, html);
    }

    internal static string Build(DatasetScores scores, string predicted, string truth)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>MatteKit evaluation</title><style>")
          .Append("body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse}td,th{padding:3px 8px;text-align:right;border-bottom:1px solid #ddd}")
          .Append("td:first-child,th:first-child{text-align:left}tr.mean{font-weight:bold}figure{display:inline-block;margin:0 8px 8px 0}")
          .Append("figcaption{font-size:12px}img{image-rendering:pixelated;display:block}.legend span{margin-right:1em}</style></head><body>\n");
        sb.Append("<h1>MatteKit evaluation</h1>\n<p>predictions: <code>").Append(Enc(Path.GetFullPath(predicted)))
          .Append("</code><br>ground truth: <code>").Append(Enc(Path.GetFullPath(truth))).Append("</code></p>\n");
        sb.Append("<p>MAD, MSE, FgrMSE, FgrMAD ×1e3; Grad, Conn ÷1e3; dtSSD ×1e2 (definitions of the RVM evaluation, evaluate_lr.py); ")
          .Append("J, F, J&amp;F on alpha ≥ 0.5 masks. Lower is better except J, F, J&amp;F.</p>\n");
        AppendTable(sb, scores);
        sb.Append("<h2>Per frame</h2>\n");
        AppendLegend(sb, scores);
        AppendChart(sb, scores, "MAD (×1e3)", v => v.Mad);
        AppendChart(sb, scores, "dtSSD (×1e2)", v => v.DtSsd);
        AppendWorstFrames(sb, scores, predicted, truth);
        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    private static void AppendTable(StringBuilder sb, DatasetScores scores)
    {
        sb.Append("<table><tr><th>clip</th><th>frames</th>");
        foreach (var n in MetricValues.Names) sb.Append("<th>").Append(Enc(n)).Append("</th>");
        sb.Append("</tr>\n");
        void Row(string name, int frames, MetricValues v, bool mean)
        {
            sb.Append(mean ? "<tr class=\"mean\">" : "<tr>").Append("<td>").Append(Enc(name)).Append("</td><td>").Append(frames).Append("</td>");
            foreach (var (_, value) in v.Named()) sb.Append("<td>").Append(ScoresTable.Format(value)).Append("</td>");
            sb.Append("</tr>\n");
        }
        foreach (var c in scores.Clips) Row(c.Name, c.Frames.Count, c.Mean, false);
        Row("mean", scores.Clips.Sum(c => c.Frames.Count), scores.Mean, true);
        sb.Append("</table>\n");
    }

    private static void AppendLegend(StringBuilder sb, DatasetScores scores)
    {
        sb.Append("<p class=\"legend\">");
        for (int c = 0; c < scores.Clips.Count; c++)
            sb.Append("<span style=\"color:").Append(Colours[c % Colours.Length]).Append("\">■ ").Append(Enc(scores.Clips[c].Name)).Append("</span>");
        sb.Append("</p>\n");
    }

    private static void AppendChart(StringBuilder sb, DatasetScores scores, string title, Func<MetricValues, double> pick)
    {
        const int w = 720, h = 220, left = 50, bottom = 25, top = 20, right = 10;
        int frames = scores.Clips.Max(c => c.Frames.Count);
        double max = scores.Clips.SelectMany(c => c.Frames).Select(f => pick(f.Values)).Where(v => !double.IsNaN(v)).DefaultIfEmpty(0).Max();
        if (max <= 0) max = 1;
        double X(int i) => left + (frames <= 1 ? 0 : (w - left - right) * (double)i / (frames - 1));
        double Y(double v) => h - bottom - (h - bottom - top) * v / max;
        var inv = CultureInfo.InvariantCulture;
        sb.Append("<h3>").Append(Enc(title)).Append("</h3>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").Append(w).Append("\" height=\"").Append(h).Append("\">");
        sb.Append(inv, $"<line x1=\"{left}\" y1=\"{h - bottom}\" x2=\"{w - right}\" y2=\"{h - bottom}\" stroke=\"#888\"/>");
        sb.Append(inv, $"<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{h - bottom}\" stroke=\"#888\"/>");
        sb.Append(inv, $"<text x=\"{left - 4}\" y=\"{top + 4}\" font-size=\"11\" text-anchor=\"end\">{ScoresTable.Format(max)}</text>");
        sb.Append(inv, $"<text x=\"{left - 4}\" y=\"{h - bottom}\" font-size=\"11\" text-anchor=\"end\">0</text>");
        sb.Append(inv, $"<text x=\"{w - right}\" y=\"{h - 8}\" font-size=\"11\" text-anchor=\"end\">frame {frames - 1}</text>");
        sb.Append(inv, $"<text x=\"{left}\" y=\"{h - 8}\" font-size=\"11\">frame 0</text>");
        for (int c = 0; c < scores.Clips.Count; c++)
        {
            var points = string.Join(' ', scores.Clips[c].Frames.Select((f, i) => (i, v: pick(f.Values)))
                .Where(p => !double.IsNaN(p.v)).Select(p => string.Create(inv, $"{X(p.i):0.#},{Y(p.v):0.#}")));
            sb.Append("<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"").Append(Colours[c % Colours.Length]).Append("\" points=\"").Append(points).Append("\"/>");
        }
        sb.Append("</svg>\n");
    }

    private static void AppendWorstFrames(StringBuilder sb, DatasetScores scores, string predicted, string truth)
    {
        var pairs = MatteEvaluator.PairClips(predicted, truth).ToDictionary(p => p.Name);
        var worst = scores.Clips.SelectMany(c => c.Frames.Select(f => (Clip: c.Name, Frame: f)))
            .OrderByDescending(x => x.Frame.Values.Mad).Take(WorstFrames).ToList();
        sb.Append("<h2>Worst frames by MAD</h2>\n<p>Heat-map: |predicted − true| alpha, black 0, red 1/3, yellow 2/3, white 1.</p>\n");
        foreach (var (clip, frame) in worst)
        {
            var (_, trueClip, predClip) = pairs[clip];
            sb.Append("<h3>").Append(Enc(clip)).Append(" / ").Append(Enc(frame.Name)).Append(": MAD ")
              .Append(ScoresTable.Format(frame.Values.Mad)).Append(", dtSSD ").Append(ScoresTable.Format(frame.Values.DtSsd)).Append("</h3>\n<div>");
            var trueAlpha = PngFile.ReadGray(Path.Combine(trueClip, "pha", frame.Name));
            var predAlpha = PngFile.ReadGray(Path.Combine(predClip, "pha", frame.Name));
            int w = trueAlpha.Width, h = trueAlpha.Height;
            var com = Path.Combine(trueClip, "com", frame.Name);
            if (File.Exists(com))
            {
                var image = PngFile.ReadRgb(com);
                Figure(sb, "input (true com)", image.Pixels, w, h, 3);
            }
            Figure(sb, "true alpha", trueAlpha.Pixels, w, h, 1);
            Figure(sb, "predicted alpha", predAlpha.Pixels, w, h, 1);
            Figure(sb, "error", HeatMap(trueAlpha.Pixels, predAlpha.Pixels), w, h, 3);
            sb.Append("</div>\n");
        }
    }

    /// <summary>|pred - true| through black (0), red (1/3), yellow (2/3) to white (1), so small errors stay visible.</summary>
    internal static byte[] HeatMap(byte[] truth, byte[] predicted)
    {
        var rgb = new byte[truth.Length * 3];
        for (int i = 0; i < truth.Length; i++)
        {
            int e = Math.Abs(truth[i] - predicted[i]) * 3;
            rgb[3 * i] = (byte)Math.Min(255, e);
            rgb[3 * i + 1] = (byte)Math.Clamp(e - 255, 0, 255);
            rgb[3 * i + 2] = (byte)Math.Clamp(e - 510, 0, 255);
        }
        return rgb;
    }

    private static void Figure(StringBuilder sb, string caption, byte[] pixels, int width, int height, int channels)
    {
        int factor = (width + MaxImageWidth - 1) / MaxImageWidth;
        if (factor >= 2) pixels = Resampler.ReduceByArea(pixels, width, height, channels, factor, out width, out height);
        using var png = new MemoryStream();
        PngWriter.Write(png, width, height, pixels, channels, System.IO.Compression.CompressionLevel.Optimal);
        sb.Append("<figure><img alt=\"").Append(Enc(caption)).Append("\" width=\"").Append(width).Append("\" height=\"").Append(height)
          .Append("\" src=\"data:image/png;base64,").Append(Convert.ToBase64String(png.ToArray())).Append("\"><figcaption>")
          .Append(Enc(caption)).Append("</figcaption></figure>");
    }

    private static string Enc(string s) => WebUtility.HtmlEncode(s);
}
