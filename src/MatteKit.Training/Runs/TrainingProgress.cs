namespace MatteKit.Training.Runs;

/// <summary>
/// Progress on stderr: a bar redrawn in place (step, loss, steps/s, ETA) on a terminal, a plain line every ten
/// seconds otherwise; nothing with --quiet.
/// </summary>
internal sealed class TrainingProgress
{
    private readonly TrainOptions _o;
    private readonly TextWriter _log;
    private readonly bool _terminal = !Console.IsErrorRedirected;
    private double _lastLine = double.NegativeInfinity, _firstSeconds = double.NaN;
    private long _firstStep;

    public TrainingProgress(TrainOptions options, TextWriter log) => (_o, _log) = (options, log);

    public void Report(long step, double seconds, IReadOnlyDictionary<string, double> losses)
    {
        if (_o.Quiet) return;
        // The rate counts from the first step reported (a resumed run's earlier steps took their own time).
        if (double.IsNaN(_firstSeconds)) (_firstSeconds, _firstStep) = (seconds, step);
        double rate = step == _firstStep ? 0 : (step - _firstStep) / Math.Max(1e-9, seconds - _firstSeconds);
        double? remaining = _o.Steps is { } s ? (rate > 0 ? (s - step) / rate : null) : _o.Minutes is { } m ? m * 60 - seconds : null;
        string done = _o.Steps is { } total ? $"{step}/{total}" : $"{step}";
        double fraction = _o.Steps is { } t2 ? (double)step / t2 : _o.Minutes is { } m2 ? seconds / (m2 * 60) : 0;
        string text = $"step {done}  loss {losses.GetValueOrDefault("total"):F4}  {rate:F2} steps/s  ETA {(remaining is { } r ? Format(r) : "-")}";
        if (_terminal)
        {
            int filled = (int)Math.Clamp(fraction * 30, 0, 30);
            _log.Write($"\r[{new string('#', filled)}{new string('.', 30 - filled)}] {text}   ");
        }
        else if (seconds - _lastLine >= 10 || (_o.Steps is { } last && step == last))
        {
            _lastLine = seconds;
            _log.WriteLine(text);
        }
    }

    public void Finish()
    {
        if (_terminal && !_o.Quiet) _log.WriteLine();
    }

    private static string Format(double seconds) =>
        seconds < 0 ? "0s" : seconds < 3600 ? $"{(int)seconds / 60}m{(int)seconds % 60:D2}s" : $"{(int)seconds / 3600}h{(int)seconds / 60 % 60:D2}m";
}
