using System.Collections.Concurrent;

namespace MatteKit.Media;

/// <summary>
/// Every temporary output of this process that is not yet committed or removed (<see cref="OutputFile"/>,
/// <see cref="OutputFolder"/>). Normally each removes its own; <see cref="RemoveAll"/> is the last resort of a
/// process that must exit at once (a second Ctrl-C, or a phase that did not stop in time after a signal), so that
/// no partial file is left behind even then.
/// </summary>
internal static class PartialOutputs
{
    private static readonly ConcurrentDictionary<string, bool> Pending = new(StringComparer.Ordinal);

    internal static void Add(string workingPath, bool isFolder) => Pending[workingPath] = isFolder;

    internal static void Forget(string workingPath) => Pending.TryRemove(workingPath, out _);

    /// <summary>Deletes every outstanding temporary; errors are ignored (the process is about to exit).</summary>
    public static void RemoveAll()
    {
        foreach (var (path, isFolder) in Pending.ToArray())
        {
            try
            {
                if (isFolder && Directory.Exists(path)) Directory.Delete(path, recursive: true);
                else if (!isFolder) File.Delete(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
            Pending.TryRemove(path, out _);
        }
    }
}
