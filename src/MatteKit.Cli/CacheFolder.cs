namespace MatteKit.Cli;

/// <summary>The user's cache folder for MatteKit: <c>$XDG_CACHE_HOME/mattekit</c>, else <c>~/.cache/mattekit</c> (LocalApplicationData on Windows).</summary>
internal static class CacheFolder
{
    public static string Path(string name)
    {
        string? cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrEmpty(cache) || !System.IO.Path.IsPathRooted(cache))
            cache = OperatingSystem.IsWindows()
                ? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData)
                : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return System.IO.Path.Combine(cache, "mattekit", name);
    }
}
