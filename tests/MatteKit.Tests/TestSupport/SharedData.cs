using Xunit;

namespace MatteKit.Tests.TestSupport;

/// <summary>
/// Locates the shared test material (media, models, references) that lives outside the repository.
/// <see cref="Root"/> is <c>$MATTEKIT_SHARED</c> when set, otherwise <c>../shared</c> next to the repository root
/// (the folder holding <c>MatteKit.slnx</c>, found by walking up from the test assembly's folder).
/// </summary>
public static class SharedData
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    public static string Root => LazyRoot.Value;

    /// <summary>A path under <see cref="Root"/>.</summary>
    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    /// <summary>Skips the running <c>[SkippableFact]</c>/<c>[SkippableTheory]</c> when the path does not exist.</summary>
    public static void SkipIfMissing(string path) =>
        Skip.If(!File.Exists(path) && !Directory.Exists(path), $"shared material not found: {path} (set MATTEKIT_SHARED)");

    private static string FindRoot()
    {
        string? env = Environment.GetEnvironmentVariable("MATTEKIT_SHARED");
        if (!string.IsNullOrWhiteSpace(env))
            return System.IO.Path.GetFullPath(env);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "MatteKit.slnx")))
                return System.IO.Path.GetFullPath(System.IO.Path.Combine(dir.FullName, "..", "shared"));
        // No repository around us: point at a folder that does not exist so that tests skip.
        return System.IO.Path.GetFullPath(System.IO.Path.Combine(AppContext.BaseDirectory, "shared-not-found"));
    }
}
