using System.Runtime.InteropServices;
using MatteKit.Media;

namespace MatteKit.Training;

/// <summary>
/// SIGINT, SIGTERM and SIGHUP. While the data loads, a signal ends the program (exit 130, temporaries removed).
/// Once training runs, the first signal asks the trainer to stop after the pass under way and write a resumable
/// checkpoint; a second one ends the program at once, removing whatever was half written.
/// </summary>
internal sealed class TrainingInterruption : IDisposable
{
    public const int ExitCode = 130;
    private readonly PosixSignalRegistration[] _registrations;
    private Action? _stop;
    private int _signals;

    public TrainingInterruption()
    {
        _registrations = new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP }
            .Select(s => PosixSignalRegistration.Create(s, OnSignal)).ToArray();
    }

    public bool Signalled => Volatile.Read(ref _signals) > 0;

    /// <summary>From now on a first signal calls <paramref name="stop"/> instead of ending the program.</summary>
    public void OnFirstSignal(Action stop) => _stop = stop;

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        if (Interlocked.Increment(ref _signals) == 1 && _stop is { } stop)
        {
            Console.Error.WriteLine("\nmattekit train: stopping after the current step; writing a checkpoint (a second Ctrl-C quits at once)");
            stop();
            return;
        }
        PartialOutputs.RemoveAll();
        Console.Error.WriteLine("\nmattekit train: cancelled");
        Environment.Exit(ExitCode);
    }

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
    }
}
