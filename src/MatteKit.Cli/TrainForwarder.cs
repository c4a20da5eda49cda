using System.Diagnostics;
using System.Runtime.InteropServices;

namespace MatteKit.Cli;

/// <summary>
/// <c>mattekit train ARGS</c> runs the training program (<c>mattekit-train</c>, package MatteKit.Training, which
/// brings libtorch; the inference tool does not need it) with the same arguments and exit code. Found as
/// <c>$MATTEKIT_TRAIN</c>, else beside this program, else on PATH. The child shares the terminal, so Ctrl-C
/// reaches it directly (it stops after the current step and writes its checkpoint); SIGTERM and SIGHUP sent to
/// this process are passed on to it.
/// </summary>
internal static class TrainForwarder
{
    public const string ProgramName = "mattekit-train";
    public const string Install = "dotnet tool install --global MatteKit.Training";

    public static int Run(string[] args)
    {
        var found = Locate();
        if (found is null)
        {
            Console.Error.WriteLine($"mattekit: 'train' needs the training tool {ProgramName} (it brings libtorch, about 500 MB), which was not found beside mattekit or on PATH; install it with: {Install} (or set MATTEKIT_TRAIN to its path)");
            return 1;
        }
        var psi = found.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
            ? new ProcessStartInfo(DotnetHost()) { ArgumentList = { found } }
            : new ProcessStartInfo(found);
        psi.ArgumentList.Add("train");
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.UseShellExecute = false;
        using var child = Process.Start(psi) ?? throw new IOException($"could not start {found}");
        using var registrations = new CompositeRegistration(
            PosixSignalRegistration.Create(PosixSignal.SIGINT, c => c.Cancel = true), // the terminal sends it to the child too
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; Signal(child, 15); }),
            PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => { c.Cancel = true; Signal(child, 1); }));
        child.WaitForExit();
        return child.ExitCode;
    }

    private static string? Locate()
    {
        if (Environment.GetEnvironmentVariable("MATTEKIT_TRAIN") is { Length: > 0 } configured)
            return File.Exists(configured) ? Path.GetFullPath(configured) : throw new IOException($"MATTEKIT_TRAIN={configured}: file not found");
        foreach (var name in new[] { ProgramName, "MatteKit.Training.dll" })
        {
            var beside = Path.Combine(AppContext.BaseDirectory, name);
            if (File.Exists(beside)) return beside;
        }
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, ProgramName);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
        : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";

    private static void Signal(Process child, int signal)
    {
        try { _ = Kill(child.Id, signal); } catch (InvalidOperationException) { }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private sealed class CompositeRegistration(params PosixSignalRegistration[] registrations) : IDisposable
    {
        public void Dispose()
        {
            foreach (var r in registrations) r.Dispose();
        }
    }
}
