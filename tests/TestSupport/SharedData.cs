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

    /// <summary>
    /// A reference folder (<c>rvm_mobilenetv3</c>, <c>rvm_variants</c>): the whole one in shared/ when it is there,
    /// else the compact subset kept in the repository (<c>Fixtures/reference</c>, see its README), so that a fresh
    /// clone still compares against the official outputs.
    /// </summary>
    public static string Reference(string name)
    {
        var shared = Path("reference", name);
        return File.Exists(System.IO.Path.Combine(shared, "manifest.json")) ? shared : RepoReference(name);
    }

    /// <summary>The repository's subset of a reference folder.</summary>
    public static string RepoReference(string name)
        => System.IO.Path.Combine(RepoRoot, "tests", "MatteKit.Tests", "Fixtures", "reference", name);

    /// <summary>The case <paramref name="name"/> of a reference folder, or a visible skip when only shared/ holds it.</summary>
    public static ReferenceCase ReferenceCaseOrSkip(string folder, string name)
    {
        var found = ReferenceCase.LoadAll(folder).SingleOrDefault(c => c.Name == name);
        Skip.If(found is null, $"reference case {name} is in shared/ only ({Path("reference")} not found; set MATTEKIT_SHARED); the repository keeps a subset");
        return found!;
    }

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
