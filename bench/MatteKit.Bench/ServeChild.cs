using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MatteKit.Bench;

/// <summary><c>mattekit serve</c> on a free loopback port, killed on dispose if still running.</summary>
internal sealed partial class ServeChild : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    private ServeChild(Process process) => _process = process;

    public string Origin { get; private set; } = "";

    public static ServeChild Start(string cli, string data, int queued)
    {
        var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { cli, "serve", "--port", "0", "--data", data, "--max-queued", queued.ToString(CultureInfo.InvariantCulture) })
            psi.ArgumentList.Add(a);
        var child = new ServeChild(Process.Start(psi)!);
        var ready = new ManualResetEventSlim();
        child._process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (child._stderr) child._stderr.AppendLine(e.Data);
            if (Listening().Match(e.Data) is { Success: true } m) { child.Origin = m.Groups[1].Value; ready.Set(); }
        };
        child._process.BeginErrorReadLine();
        child._process.BeginOutputReadLine();
        if (!ready.Wait(TimeSpan.FromSeconds(60))) { child.Dispose(); throw new TimeoutException("serve printed no address"); }
        return child;
    }

    public double ResidentMb() => Status("VmRSS:");

    public double PeakMb() => Status("VmHWM:");

    private double Status(string field)
    {
        var line = File.ReadLines($"/proc/{_process.Id}/status").FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
        return line is null ? double.NaN : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }

    /// <summary>SIGINT (kill's: the child's signals are its own), then its exit code and last line.</summary>
    public (int Code, string Said) Interrupt()
    {
        // A child of a background process may have SIGINT ignored; SIGTERM stops serve the same way.
        using (var kill = Process.Start("kill", new[] { "-TERM", _process.Id.ToString(CultureInfo.InvariantCulture) })!) kill.WaitForExit();
        if (!_process.WaitForExit(30_000)) return (-1, "did not stop in 30 s");
        _process.WaitForExit();
        lock (_stderr) return (_process.ExitCode, _stderr.ToString().Trim().Split('\n')[^1]);
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    [GeneratedRegex(@"listening at (http://[^/\s]+)/")]
    private static partial Regex Listening();
}
