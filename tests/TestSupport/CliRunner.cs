using System.Diagnostics;

namespace MatteKit.Tests.TestSupport;

/// <summary>Runs the built <c>mattekit</c> CLI as a separate process, the way a user does.</summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr);

    /// <summary>Whether <c>env --default-signal</c> (coreutils 8.31 and later) is there to start the CLI with.</summary>
    private static readonly bool DefaultSignals = OperatingSystem.IsLinux() && EnvResetsSignals();

    private static bool EnvResetsSignals()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("env", new[] { "--default-signal", "true" }) { UseShellExecute = false, RedirectStandardError = true })!;
            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>The cache folder the programs run by the tests use (XDG_CACHE_HOME).</summary>
    public static readonly string TestCache = Path.Combine(Path.GetTempPath(), "mattekit-test-cache");

    public static Result Run(params string[] args) => RunWithEnvironment(new Dictionary<string, string>(), args);

    /// <summary>The training program (<c>mattekit-train</c>) as a user runs it.</summary>
    public const string Trainer = "MatteKit.Training.dll";

    /// <summary>Runs the training program with <paramref name="args"/>, waiting at most <paramref name="timeout"/>.</summary>
    public static Result RunTrainer(TimeSpan timeout, params string[] args) => RunTrainer(timeout, new Dictionary<string, string>(), args);

    /// <summary>As <see cref="RunTrainer(TimeSpan, string[])"/>, with some environment variables replaced (e.g. TMPDIR).</summary>
    public static Result RunTrainer(TimeSpan timeout, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var p = StartProgram(environment, Trainer, args);
        return Wait(p, timeout, args);
    }

    /// <summary>Runs with some environment variables replaced (e.g. a PATH without ffmpeg).</summary>
    public static Result RunWithEnvironment(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var p = Start(environment, args);
        return Wait(p, TimeSpan.FromMinutes(5), args);
    }

    /// <summary>Runs in <paramref name="workingDirectory"/>: relative paths (and a mistaken output such as "-") land there.</summary>
    public static Result RunIn(string workingDirectory, params string[] args)
    {
        using var p = StartProgramIn(new Dictionary<string, string>(), "MatteKit.Cli.dll", workingDirectory, args);
        return Wait(p, TimeSpan.FromMinutes(5), args);
    }

    private static Result Wait(Process p, TimeSpan timeout, string[] args)
    {
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{string.Join(' ', args)} did not finish in {timeout}");
        }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Starts the CLI with stdout and stderr redirected and returns at once (the caller reads and waits).</summary>
    public static Process Start(IReadOnlyDictionary<string, string> environment, params string[] args)
        => StartProgram(environment, "MatteKit.Cli.dll", args);

    /// <summary>Starts one of the built programs (<paramref name="program"/>: its .dll beside the tests).</summary>
    public static Process StartProgram(IReadOnlyDictionary<string, string> environment, string program, params string[] args)
        => StartProgramIn(environment, program, null, args);

    private static Process StartProgramIn(IReadOnlyDictionary<string, string> environment, string program, string? workingDirectory, string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, program);
        // The host's full path, so that a replaced PATH does not hide dotnet itself.
        var dotnet = Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet";
        var psi = new ProcessStartInfo(DefaultSignals ? "env" : dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (DefaultSignals)
        {
            // A test run started in the background inherits SIGINT ignored, and so would the CLI; a user at a
            // terminal never starts it that way. Reset the dispositions, as a foreground shell would.
            psi.ArgumentList.Add("--default-signal");
            psi.ArgumentList.Add(dotnet);
        }
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        // The programs' cache (live's remembered network sizes, serve's default data) is the tests' own, not the user's.
        psi.Environment["XDG_CACHE_HOME"] = TestCache;
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        if (workingDirectory is not null) psi.WorkingDirectory = workingDirectory;
        return Process.Start(psi)!;
    }
}
