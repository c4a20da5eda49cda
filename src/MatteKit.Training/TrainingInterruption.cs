using System.Diagnostics;
using System.Runtime.InteropServices;

namespace MatteKit.Training;

/// <summary>
/// SIGINT, SIGTERM and SIGHUP, acted on by the main thread only: the signal thread never exits the process, because
/// exiting while libtorch is inside an operation on the main thread crashes it (static destructors under a running
/// kernel: SIGSEGV, heap corruption, internal asserts). While the data loads, a signal cancels <see cref="Quit"/>,
/// which the loaders check between files. Once training runs, the first signal asks the trainer to stop after the
/// pass under way (<see cref="StopRequested"/>); a second cancels <see cref="Quit"/>, which the network checks
/// between its blocks, so that the pass under way is abandoned at the next operation. Either way the checkpoint is
/// written before the program exits.
/// </summary>
internal sealed class TrainingInterruption : IDisposable
{
    public const int ExitCode = 130;

    /// <summary>
    /// A SIGINT this soon after the previous one is the same Ctrl-C: the terminal sends it to the whole foreground
    /// process group, so `mattekit train` and this program both get it, and `mattekit train` passes its own on. The
    /// passed-on one can come late on a loaded machine (two busy cores: hundreds of milliseconds), so the window is
    /// wide: a second press within it is taken as the same Ctrl-C, one after it abandons the pass under way.
    /// </summary>
    public static readonly TimeSpan DuplicateWindow = TimeSpan.FromMilliseconds(1500);

    private readonly PosixSignalRegistration[] _registrations;
    private readonly CancellationTokenSource _quit = new();
    private readonly Stopwatch _sinceLastInterrupt = new();
    private readonly object _gate = new();
    private volatile bool _training, _stopRequested;
    private string _written = "a checkpoint", _writtenAgain = "the checkpoint";

    public TrainingInterruption()
    {
        _registrations = new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP }
            .Select(s => PosixSignalRegistration.Create(s, OnSignal)).ToArray();
    }

    /// <summary>Cancelled when the program should end at the next safe point (between files, between operations).</summary>
    public CancellationToken Quit => _quit.Token;

    /// <summary>A first signal came while training: finish the pass under way, write the checkpoint, exit 130.</summary>
    public bool StopRequested => _stopRequested;

    /// <summary>From now on a first signal stops training gracefully instead of cancelling.</summary>
    public void TrainingStarted() => _training = true;

    /// <summary>As <see cref="TrainingStarted()"/>, for a run that writes <paramref name="written"/> when stopped, not a checkpoint.</summary>
    public void TrainingStarted(string written)
    {
        (_written, _writtenAgain) = (written, written);
        _training = true;
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        lock (_gate)
        {
            if (context.Signal == PosixSignal.SIGINT)
            {
                if (_sinceLastInterrupt.IsRunning && _sinceLastInterrupt.Elapsed < DuplicateWindow) return;
                _sinceLastInterrupt.Restart();
            }
            if (_training && !_stopRequested)
            {
                _stopRequested = true;
                Console.Error.WriteLine($"\nmattekit train: stopping after the current pass; writing {_written} (a second Ctrl-C abandons the pass under way)");
                return;
            }
            if (_quit.IsCancellationRequested) return;
            Console.Error.WriteLine(_training
                ? $"\nmattekit train: abandoning the pass under way at the next operation; writing {_writtenAgain}"
                : "\nmattekit train: cancelling");
            _quit.Cancel();
        }
    }

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
    }
}
