using Xunit;

namespace MatteKit.Tests.TestSupport;

/// <summary>
/// Locates the shared test material (models, reference outputs) that is not part of the repository:
/// the environment variable <c>MATTEKIT_SHARED</c>, else the folder <c>shared</c> beside the repository root
/// (the folder holding <c>MatteKit.slnx</c>, found by walking up from the test binaries).
/// </summary>
public static class SharedData
{
    public static string Root { get; } = FindRoot();

    /// <summary>A path under <see cref="Root"/>.</summary>
    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    /// <summary>Skips the calling <c>[SkippableFact]</c> when <paramref name="path"/> (file or folder) does not exist.</summary>
    public static void SkipIfMissing(string path) =>
        Skip.If(!File.Exists(path) && !Directory.Exists(path), $"shared material not found: {path} (set MATTEKIT_SHARED)");

    private static string FindRoot()
    {
        var env = Environment.GetEnvironmentVariable("MATTEKIT_SHARED");
        if (!string.IsNullOrWhiteSpace(env))
            return System.IO.Path.GetFullPath(env);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "MatteKit.slnx")))
                return System.IO.Path.GetFullPath(System.IO.Path.Combine(dir.FullName, "..", "shared"));
        }
        return System.IO.Path.GetFullPath(System.IO.Path.Combine(AppContext.BaseDirectory, "shared"));
    }
}
