using System.Diagnostics;

namespace MatteKit.Media.Ffmpeg;

/// <summary>
/// One ffmpeg or ffprobe child process with its arguments passed as a list (no shell, no quoting). Keeps the
/// last lines of stderr for error messages, and is killed (with anything it started) when disposed before it
/// has exited, so a failed or cancelled conversion leaves no children behind.
/// </summary>
internal sealed partial class FfmpegProcess : IDisposable
{
    private const int KeptStderrLines = 40;
    private readonly Process _process;
    private readonly Queue<string> _stderr = new();
    private readonly Task _stderrReader;
    private readonly string _tool;
    private readonly Action<string>? _onStderrLine;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<FfmpegProcess, byte> Running = new();

    /// <summary>Kills every child still running (a process about to exit at once leaves none behind).</summary>
    internal static void KillAll()
    {
        foreach (var p in Running.Keys) p.Kill();
    }

    public FfmpegProcess(string executable, IEnumerable<string> arguments, bool writeStdin, bool readStdout, bool inheritStdin = false,
        Action<string>? onStderrLine = null)
    {
        _tool = Path.GetFileName(executable);
        _onStderrLine = onStderrLine;
        var psi = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardInput = writeStdin || !inheritStdin,
            RedirectStandardOutput = readStdout,
            RedirectStandardError = true,
        };
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        _process = Process.Start(psi) ?? throw new InvalidOperationException($"{_tool} did not start");
        if (!writeStdin && !inheritStdin) _process.StandardInput.Close();
        _stderrReader = Task.Run(ReadStderr);
        Running[this] = 0;
    }

    public Stream StandardInput => _process.StandardInput.BaseStream;

    public Stream StandardOutput => _process.StandardOutput.BaseStream;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Waits for the process to end and returns its exit code; stderr has been read completely by then.</summary>
    public int WaitForExit()
    {
        _process.WaitForExit();
        _stderrReader.Wait();
        return _process.ExitCode;
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for the process to end; false (and the process killed) when it did not.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> was signalled; the process is killed.</exception>
    public bool WaitForExit(TimeSpan timeout, CancellationToken cancel)
    {
        using (cancel.Register(Kill))
        {
            bool exited = _process.WaitForExit(timeout);
            if (cancel.IsCancellationRequested)
            {
                Kill();
                throw new OperationCanceledException(cancel);
            }
            if (exited) return true;
        }
        Kill();
        return false;
    }

    /// <summary>The kept stderr lines, oldest first.</summary>
    public IReadOnlyList<string> StderrLines
    {
        get { lock (_stderr) return _stderr.ToArray(); }
    }

    /// <summary>The most telling stderr line for a one-line error message: the last non-empty one.</summary>
    public string LastError()
    {
        var lines = StderrLines;
        for (int i = lines.Count - 1; i >= 0; i--)
            if (!string.IsNullOrWhiteSpace(lines[i])) return WithoutContext(lines[i]);
        return $"{_tool} exited with code {_process.ExitCode}";
    }

    /// <summary>ffmpeg's "[demuxer @ 0x55d0...] " prefix says nothing to a user.</summary>
    public static string WithoutContext(string line) => ContextPrefix().Replace(line, "").Trim();

    [System.Text.RegularExpressions.GeneratedRegex(@"^\s*\[[^\]]*@ 0x[0-9a-fA-F]+\]\s*")]
    private static partial System.Text.RegularExpressions.Regex ContextPrefix();

    public void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
    }

    private void ReadStderr()
    {
        string? line;
        while ((line = _process.StandardError.ReadLine()) is not null)
        {
            _onStderrLine?.Invoke(line);
            lock (_stderr)
            {
                _stderr.Enqueue(line);
                if (_stderr.Count > KeptStderrLines) _stderr.Dequeue();
            }
        }
    }

    public void Dispose()
    {
        Kill();
        try
        {
            _process.WaitForExit();
            _stderrReader.Wait(TimeSpan.FromSeconds(5));
        }
        catch (InvalidOperationException)
        {
        }
        Running.TryRemove(this, out _);
        _process.Dispose();
    }
}
