using System.Globalization;
using System.Net;
using System.Text;
using MatteKit.Media;

namespace MatteKit.Training.Runs;

/// <summary>
/// The HTML training report: one loss curve per term (SVG, no scripts), the validation curves, and the first
/// validation clip's middle frame: composite, true alpha, alpha of the base weights and of the tuned ones.
/// </summary>
internal static class TrainingReport
{
    public static void Write(string path, string title, IReadOnlyList<string> summary, IReadOnlyList<StepRecord> history,
        IReadOnlyList<ValidationRecord> validation, IReadOnlyList<(string Caption, byte[] Png)> pictures)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>").Append(WebUtility.HtmlEncode(title)).Append("</title>");
        html.Append("<style>body{font-family:sans-serif;margin:2em;max-width:1100px}figure{display:inline-block;margin:.5em}svg{background:#fafafa;border:1px solid #ddd}td,th{padding:2px 8px;text-align:right}</style></head><body>");
        html.Append("<h1>").Append(WebUtility.HtmlEncode(title)).Append("</h1><ul>");
        foreach (var line in summary) html.Append("<li>").Append(WebUtility.HtmlEncode(line)).Append("</li>");
        html.Append("</ul><h2>Losses</h2>");
        foreach (var term in history.SelectMany(h => h.Losses.Keys).Distinct())
            html.Append(Chart(term, history.Where(h => h.Losses.ContainsKey(term)).Select(h => ((double)h.Step, h.Losses[term])).ToList()));
        if (validation.Count > 0)
        {
            html.Append("<h2>Validation</h2>");
            html.Append(Chart("MAD (x1e3)", validation.Select(v => ((double)v.Step, v.Mad)).ToList()));
            html.Append(Chart("MSE (x1e3)", validation.Select(v => ((double)v.Step, v.Mse)).ToList()));
            html.Append(Chart("Grad (/1e3)", validation.Select(v => ((double)v.Step, v.Grad)).ToList()));
            html.Append(Chart("dtSSD (x1e2)", validation.Select(v => ((double)v.Step, v.DtSsd)).ToList()));
            html.Append("<table><tr><th>step</th><th>MAD</th><th>MSE</th><th>Grad</th><th>dtSSD</th></tr>");
            foreach (var v in validation)
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{v.Step}</td><td>{v.Mad:F3}</td><td>{v.Mse:F3}</td><td>{v.Grad:F3}</td><td>{v.DtSsd:F3}</td></tr>");
            html.Append("</table>");
        }
        if (pictures.Count > 0)
        {
            html.Append("<h2>Before and after</h2>");
            foreach (var (caption, png) in pictures)
                html.Append("<figure><img src=\"data:image/png;base64,").Append(Convert.ToBase64String(png))
                    .Append("\" width=\"320\"><figcaption>").Append(WebUtility.HtmlEncode(caption)).Append("</figcaption></figure>");
        }
        html.Append("</body></html>");
        OutputFile.WriteAllText(path, html.ToString());
    }

    private static string Chart(string name, IReadOnlyList<(double X, double Y)> points)
    {
        const int w = 520, h = 180, pad = 40;
        if (points.Count == 0) return "";
        double x0 = points.Min(p => p.X), x1 = Math.Max(points.Max(p => p.X), x0 + 1);
        double y0 = Math.Min(0, points.Min(p => p.Y)), y1 = Math.Max(points.Max(p => p.Y), y0 + 1e-9);
        string Px(double x) => (pad + (x - x0) / (x1 - x0) * (w - 2 * pad)).ToString("F1", CultureInfo.InvariantCulture);
        string Py(double y) => (h - pad + -(y - y0) / (y1 - y0) * (h - 2 * pad)).ToString("F1", CultureInfo.InvariantCulture);
        var line = string.Join(" ", points.Select(p => $"{Px(p.X)},{Py(p.Y)}"));
        return $"<figure><svg width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\"><polyline fill=\"none\" stroke=\"#1565c0\" stroke-width=\"1.5\" points=\"{line}\"/>" +
               $"<text x=\"{pad}\" y=\"16\" font-size=\"12\">{WebUtility.HtmlEncode(name)}: last {points[^1].Y.ToString("G4", CultureInfo.InvariantCulture)}</text>" +
               $"<text x=\"4\" y=\"{h - pad}\" font-size=\"10\">{y0.ToString("G3", CultureInfo.InvariantCulture)}</text><text x=\"4\" y=\"{pad}\" font-size=\"10\">{y1.ToString("G3", CultureInfo.InvariantCulture)}</text>" +
               $"<text x=\"{pad}\" y=\"{h - 8}\" font-size=\"10\">step {x0}</text><text x=\"{w - pad - 40}\" y=\"{h - 8}\" font-size=\"10\">step {x1}</text></svg></figure>";
    }

    /// <summary>PNG bytes of interleaved pixels (1 or 3 channels).</summary>
    public static byte[] Png(int width, int height, byte[] pixels, int channels)
    {
        using var stream = new MemoryStream();
        PngWriter.Write(stream, width, height, pixels, channels);
        return stream.ToArray();
    }
}
