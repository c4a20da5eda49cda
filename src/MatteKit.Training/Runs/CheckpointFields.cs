using System.Globalization;
using MatteKit.Media;

namespace MatteKit.Training.Runs;

/// <summary>
/// Checks of a checkpoint header's fields as read, before anything is built from them: a header is JSON, which a
/// person can edit, and a run would otherwise trust a negative step (training past its budget), a NaN time (a
/// --minutes budget never reached) or a missing list. Each failure is one line naming the file and the field.
/// </summary>
internal static class CheckpointFields
{
    /// <summary>
    /// The largest step a checkpoint may hold: a hundred times --steps' bound, beyond any run (the longest --minutes
    /// budget at 1,600 steps a second), far below where a step count would overflow.
    /// </summary>
    public const long MaxStep = 100L * TrainOptions.MaxSteps;

    /// <summary>
    /// The header's step within the resuming run's --steps: a checkpoint past it was edited or written by a longer run,
    /// and was resumed only to end at once, writing its weights to --out as if trained to this run's budget.
    /// </summary>
    /// <param name="stepBudget">The run's --steps; null for a --minutes run, which has no step budget.</param>
    /// <exception cref="MediaFormatException"><paramref name="step"/> is past <paramref name="stepBudget"/>.</exception>
    public static void WithinBudget(string path, long step, long? stepBudget)
    {
        if (stepBudget is { } most && step > most)
            throw new MediaFormatException(path, $"checkpoint field Step is {step.ToString(CultureInfo.InvariantCulture)}: past this run's --steps {most.ToString(CultureInfo.InvariantCulture)} " +
                                                 $"(edited or damaged, or written by a longer run: to train on from it, give --steps above {step.ToString(CultureInfo.InvariantCulture)})");
    }

    /// <exception cref="MediaFormatException"><paramref name="value"/> is outside <paramref name="min"/>..<paramref name="max"/>.</exception>
    public static void Whole(string path, string field, long value, long min, long max)
    {
        if (value < min || value > max)
            throw Bad(path, field, value.ToString(CultureInfo.InvariantCulture), $"expected {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>
    /// A frame side as --size and --hr-size take it (<see cref="TrainOptions.MinSide"/> to <see cref="TrainOptions.MaxSide"/>),
    /// or 0 where <paramref name="zeroTaken"/> (a pass the run has not): an edited 10^9 is damage, not another run's size.
    /// </summary>
    /// <exception cref="MediaFormatException"><paramref name="value"/> is out of that range.</exception>
    public static void Side(string path, string field, int value, bool zeroTaken = false)
    {
        if (zeroTaken && value == 0) return;
        if (value < TrainOptions.MinSide || value > TrainOptions.MaxSide)
            throw Bad(path, field, value.ToString(CultureInfo.InvariantCulture),
                $"expected {TrainOptions.MinSide} to {TrainOptions.MaxSide}{(zeroTaken ? ", or 0 without that pass" : "")}");
    }

    /// <exception cref="MediaFormatException"><paramref name="value"/> is NaN, infinite or negative.</exception>
    public static void Seconds(string path, string field, double value)
    {
        if (!double.IsFinite(value) || value < 0)
            throw Bad(path, field, value.ToString("R", CultureInfo.InvariantCulture), "expected a finite number of seconds, 0 or more");
    }

    /// <exception cref="MediaFormatException"><paramref name="value"/> is NaN or negative (infinity is the score before any validation).</exception>
    public static void Score(string path, string field, double value)
    {
        if (!(value >= 0))
            throw Bad(path, field, value.ToString("R", CultureInfo.InvariantCulture), "expected 0 or more");
    }

    /// <exception cref="MediaFormatException"><paramref name="value"/> is missing or not one of <paramref name="allowed"/>.</exception>
    public static void OneOf(string path, string field, string? value, params string[] allowed)
    {
        if (!allowed.Contains(Present(path, field, value)))
            throw Bad(path, field, $"'{PrintableText.Excerpt(value!, 20)}'", allowed.Length == 1 ? $"expected {allowed[0]}" : $"expected {string.Join(", ", allowed.SkipLast(1))} or {allowed[^1]}");
    }

    /// <summary>A run's validation records: at most <paramref name="most"/>, each there, each at a step from 0 to <paramref name="step"/>.</summary>
    /// <exception cref="MediaFormatException">The list or an entry is missing, the list is too long, or an entry's step is out of range.</exception>
    public static void Validation(string path, string field, List<ValidationRecord>? records, long most, long step)
    {
        Whole(path, $"{field} (its length)", Present(path, field, records).Count, 0, most);
        foreach (var record in records!) Whole(path, $"{field}'s step", Entry(path, field, record).Step, 0, step);
    }

    /// <exception cref="MediaFormatException"><paramref name="value"/>, an entry of the list <paramref name="field"/>, is null.</exception>
    public static T Entry<T>(string path, string field, T? value) where T : class => Present(path, $"{field} (an entry)", value);

    /// <exception cref="MediaFormatException"><paramref name="value"/> is null (the field is missing or JSON null).</exception>
    public static T Present<T>(string path, string field, T? value) where T : class
        => value ?? throw new MediaFormatException(path, $"checkpoint field {field} is missing (edited or damaged)");

    private static MediaFormatException Bad(string path, string field, string value, string expected)
        => new(path, $"checkpoint field {field} is {value}: {expected} (edited or damaged)");
}
