namespace MatteKit.Tests.TestSupport;

/// <summary>
/// Where the read-only shared materials (models, reference outputs, media) are: env <c>MATTEKIT_SHARED</c>, else
/// <c>../shared</c> beside the repository. Tests that need them skip with a visible reason when absent.
/// </summary>
public static class SharedData
{
    public static string Root { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine(new[] { Root }.Concat(parts).ToArray());

    public static void SkipIfMissing(string path)
        => Skip.If(!File.Exists(path) && !Directory.Exists(path), $"shared material not found: {path} (set MATTEKIT_SHARED)");

    /// <summary>The repository root (the folder holding MatteKit.slnx).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    private static string FindRoot()
    {
        var env = Environment.GetEnvironmentVariable("MATTEKIT_SHARED");
        if (!string.IsNullOrEmpty(env)) return System.IO.Path.GetFullPath(env);
        return System.IO.Path.GetFullPath(System.IO.Path.Combine(FindRepoRoot(), "..", "shared"));
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "MatteKit.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"MatteKit.slnx not found above {AppContext.BaseDirectory}");
    }
}
