using System.Runtime.InteropServices;
using MatteKit.Media;
using MatteKit.Media.Ffmpeg;

namespace MatteKit.Cli;

/// <summary>
/// SIGINT, SIGTERM and SIGHUP for every command, from the first line of the program: the first signal cancels
/// <see cref="Token"/>, which every phase (probing, loading, the pipeline, writing a dataset) observes and which
/// kills the ffmpeg children. A phase that has not stopped after <see cref="Grace"/>, or a second signal, ends the
/// process at once, after removing every temporary output and killing every child, so nothing partial is left.
/// </summary>
internal sealed class Interruption : IDisposable
{
    /// <summary>How long a cancelled command may take to stop by itself.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(2);

    public const int ExitCode = 130;

    private readonly CancellationTokenSource _cancel = new();
    private readonly PosixSignalRegistration[] _registrations;
    private int _signals;

    public Interruption()
    {
        _registrations = new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP }
            .Select(s => PosixSignalRegistration.Create(s, OnSignal)).ToArray();
    }

    public CancellationToken Token => _cancel.Token;

    public bool Signalled => Volatile.Read(ref _signals) > 0;

    /// <summary>
    /// Whether the failure at hand comes from a signal. ffmpeg children in the terminal's process group get the
    /// same Ctrl-C and may fail a moment before our handler runs, so a failure waits briefly for it.
    /// </summary>
    public bool CausedFailure()
    {
        if (!Signalled) _cancel.Token.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(300));
        return Signalled;
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        if (Interlocked.Increment(ref _signals) > 1)
        {
            ExitNow();
            return;
        }
        // The deadline first, on a thread of its own: neither a cancellation callback that blocks nor a busy
        // thread pool can keep it from ending the process.
        new Thread(() =>
        {
            Thread.Sleep(Grace);
            ExitNow();
        }) { IsBackground = true, Name = "mattekit deadline" }.Start();
        new Thread(() => _cancel.Cancel()) { IsBackground = true, Name = "mattekit cancel" }.Start();
    }

    private static void ExitNow()
    {
        // Never in the middle of a commit: one under way finishes first, and then counts as kept.
        lock (PartialOutputs.CommitGate)
        {
            FfmpegTools.KillRunning();
            PartialOutputs.RemoveAll();
            Console.Error.WriteLine(PartialOutputs.AnyCommitted
                ? "mattekit: cancelled; the outputs already complete were kept, nothing else was written"
                : "mattekit: cancelled; no output was written");
            Environment.Exit(ExitCode);
        }
    }

    public void Dispose()
    {
        // The token source stays: a signal arriving now still cancels it from its own thread.
        foreach (var r in _registrations) r.Dispose();
    }
}
