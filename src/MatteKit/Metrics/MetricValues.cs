namespace MatteKit.Metrics;

/// <summary>
/// One value per metric, in the units the RVM paper reports: MAD ×1e3, MSE ×1e3, Grad ÷1e3, Conn ÷1e3,
/// dtSSD ×1e2, foreground MSE and MAD ×1e3 (NaN where not measured: no foreground given, or no pixel with true
/// alpha above 0), and J, F, J&amp;F in [0, 1] for the alpha ≥ 0.5 masks.
/// </summary>
public sealed record MetricValues(
    double Mad, double Mse, double Grad, double Conn, double DtSsd,
    double ForegroundMse, double ForegroundMad, double J, double F)
{
    /// <summary>The DAVIS summary: the mean of J and F.</summary>
    public double JAndF => (J + F) / 2;

    /// <summary>Names and values in report order (the names are the column headers of the CSV and JSON).</summary>
    public IEnumerable<(string Name, double Value)> Named()
    {
        yield return ("MAD", Mad);
        yield return ("MSE", Mse);
        yield return ("Grad", Grad);
        yield return ("Conn", Conn);
        yield return ("dtSSD", DtSsd);
        yield return ("FgrMSE", ForegroundMse);
        yield return ("FgrMAD", ForegroundMad);
        yield return ("J", J);
        yield return ("F", F);
        yield return ("J&F", JAndF);
    }

    public static IReadOnlyList<string> Names { get; } =
        new MetricValues(0, 0, 0, 0, 0, 0, 0, 0, 0).Named().Select(n => n.Name).ToArray();

    /// <summary>
    /// The mean of each metric over the items, leaving out NaN values (a metric NaN everywhere stays NaN).
    /// Leaving them out matters only for the foreground metrics.
    /// </summary>
    public static MetricValues Mean(IReadOnlyCollection<MetricValues> items)
    {
        if (items.Count == 0) throw new ArgumentException("no values to average", nameof(items));
        double M(Func<MetricValues, double> pick)
        {
            var values = items.Select(pick).Where(v => !double.IsNaN(v)).ToList();
            return values.Count == 0 ? double.NaN : values.Average();
        }
        return new MetricValues(M(v => v.Mad), M(v => v.Mse), M(v => v.Grad), M(v => v.Conn), M(v => v.DtSsd),
            M(v => v.ForegroundMse), M(v => v.ForegroundMad), M(v => v.J), M(v => v.F));
    }
}
