using System.Diagnostics;
using System.Runtime.InteropServices;

namespace MatteKit.Cli;

/// <summary>
/// <c>mattekit train ARGS</c> runs the training program (<c>mattekit-train</c>, package MatteKit.Training, which
/// brings libtorch; the inference tool does not need it) with the same arguments and exit code. Found as
/// <c>$MATTEKIT_TRAIN</c>, else beside this program, else on PATH. SIGINT, SIGTERM and SIGHUP sent to this
/// process are passed on to the child (it stops after the current pass and writes its checkpoint). A Ctrl-C at the
/// terminal reaches both processes, so the child gets that SIGINT twice within a few milliseconds and counts it
/// once (TrainingInterruption's duplicate window). The child names this process in
/// <c>MATTEKIT_TRAIN_PARENT</c> and asks the kernel for SIGTERM when it dies (ParentDeath), so that a
/// <c>kill -9</c> of this process does not leave the trainer running.
/// </summary>
internal static class TrainForwarder
{
    public const string ProgramName = "mattekit-train";
    public const string Install = "dotnet tool install --global MatteKit.Training";

    /// <summary>Where the child finds this process's id (the training program's ParentDeath reads it).</summary>
    private const string ParentVariable = "MATTEKIT_TRAIN_PARENT";

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
        psi.Environment[ParentVariable] = Environment.ProcessId.ToString();
        Process child;
        try
        {
            child = Process.Start(psi) ?? throw new IOException($"could not start {found}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            // Not a program (a text file, no execute permission): the reason as the OS gives it (.NET adds the working folder).
            var source = Environment.GetEnvironmentVariable("MATTEKIT_TRAIN") is { Length: > 0 } configured ? $"MATTEKIT_TRAIN={configured}" : found;
            throw new IOException($"{source}: cannot be started as the training tool ({new System.ComponentModel.Win32Exception(e.NativeErrorCode).Message}); it must be {ProgramName} or MatteKit.Training.dll");
        }
        using var started = child;
        using var registrations = new CompositeRegistration(
            PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; Signal(child, 2); }),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; Signal(child, 15); }),
            PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => { c.Cancel = true; Signal(child, 1); }));
        child.WaitForExit();
        return child.ExitCode;
    }

    private static string? Locate()
    {
        if (Environment.GetEnvironmentVariable("MATTEKIT_TRAIN") is { Length: > 0 } configured)
            return File.Exists(configured) ? Path.GetFullPath(configured)
                : Directory.Exists(configured) ? throw new IOException($"MATTEKIT_TRAIN={configured}: is a folder; it must name {ProgramName} or MatteKit.Training.dll")
                : throw new IOException($"MATTEKIT_TRAIN={configured}: file not found");
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
