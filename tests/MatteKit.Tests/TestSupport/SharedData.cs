using Xunit;

namespace MatteKit.Tests.TestSupport;

/// <summary>
/// Where the shared, read-only test materials (real model files) are: the environment variable
/// <c>MATTEKIT_SHARED</c>, else the folder <c>shared</c> next to the repository root (the folder holding
/// <c>MatteKit.slnx</c>, found by walking up from the test binaries). Tests that need a material call
/// <see cref="SkipIfMissing"/> from a <c>[SkippableFact]</c>, so a missing file shows as a skip with a reason.
/// </summary>
public static class SharedData
{
    public const string EnvironmentVariable = "MATTEKIT_SHARED";

    /// <summary>The shared materials folder (it may not exist).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The path of a shared material, e.g. <c>Path("models", "rvm_mobilenetv3_fgf.pth")</c>.</summary>
    public static string? Path(params string[] parts) =>
        System.IO.Path.Combine([Root, .. parts]);

    /// <summary>Skips the current <c>[SkippableFact]</c> when <paramref name="path"/> is neither a file nor a folder.</summary>
    public static void SkipIfMissing(string? path) =>
        Skip.If(path is null || (!File.Exists(path) && !Directory.Exists(path)),
            $"shared material not found: {path} (set {EnvironmentVariable})");

    private static string FindRoot()
    {
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env))
            return System.IO.Path.GetFullPath(env);
        var repo = RepoRoot();
        return repo != null
            ? System.IO.Path.GetFullPath(System.IO.Path.Combine(repo, "..", "shared"))
            : System.IO.Path.Combine(AppContext.BaseDirectory, "shared");
    }

    /// <summary>The folder holding <c>MatteKit.slnx</c> above the test binaries, or null.</summary>
    public static string? RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "MatteKit.slnx")))
                return dir.FullName;
        }
        return null;
    }
}
