using System.Text.RegularExpressions;

namespace MatteKit.Chunking;

/// <summary>
/// The names a plan's chunks, join and Slurm jobs create in its segments folder (the plan's path with
/// <c>.segments</c> for its extension), and the one way they are removed: by those names only, never the folder's
/// other content, so that a file a user placed there (or a folder a damaged plan names) is never deleted.
/// </summary>
internal static partial class SegmentsFolder
{
    /// <summary>The JSON file <c>slurm submit</c> records its job ids in.</summary>
    public const string SlurmJobs = "slurm-jobs.json";

    /// <summary>
    /// The segments folder of the plan at <paramref name="planPath"/> (full path), named within a file name's 255 bytes
    /// (<see cref="Media.PartialOutputs.FittedName"/>): a plan named with 252 bytes, legal, gave a folder name of 256,
    /// and its chunks failed as "path too long".
    /// </summary>
    public static string For(string planPath)
    {
        string full = Path.GetFullPath(planPath);
        return Path.Combine(Media.ParentFolder.Of(full),
            Media.PartialOutputs.FittedName(Path.GetFileNameWithoutExtension(full), System.Text.Encoding.UTF8.GetByteCount(Extension)) + Extension);
    }

    private const string Extension = ".segments";

    /// <summary>
    /// The file a finished join leaves, holding the plan's fingerprint: only a plan with that fingerprint counts as
    /// joined, never one written to the same path afterwards.
    /// </summary>
    public const string Joined = "joined";

    public static string Marker(int index) => $"chunk.{index:D5}.done";

    public static string Segment(string role, int index, string extension) => $"{role}.{index:D5}{extension}";

    /// <summary>A chunk's working folder (one per attempt, so that two workers on one chunk never share one).</summary>
    public static string Attempt(int index) => $".attempt-{index:D5}-{Environment.ProcessId}-{Guid.NewGuid():N}";

    /// <summary>Removes what a plan made in <paramref name="folder"/>, then the folder if nothing else is left in it.</summary>
    /// <param name="folder">The segments folder.</param>
    /// <param name="keepJoined">Leave the <see cref="Joined"/> record (the join clearing its segments).</param>
    /// <returns>Whether the folder is gone.</returns>
    public static bool Remove(string folder, bool keepJoined = false)
    {
        if (!Directory.Exists(folder)) return true;
        // The markers first: from then on no chunk counts as done, whatever is still being removed.
        foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos().OrderBy(e => MarkerName().IsMatch(e.Name) ? 0 : 1).ToList())
        {
            try
            {
                if (entry is DirectoryInfo directory && entry.LinkTarget is null && (AttemptName().IsMatch(entry.Name) || FolderSegmentName().IsMatch(entry.Name)))
                {
                    // A folder segment holds the frames its chunk wrote; an attempt folder, what a stopped worker left.
                    directory.Delete(recursive: true);
                }
                else if (entry is FileInfo && (MadeFileName().IsMatch(entry.Name) || entry.Name == SlurmJobs || (entry.Name == Joined && !keepJoined)))
                {
                    entry.Delete();
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left in place: the folder then stays, and nothing else is touched.
            }
        }
        try
        {
            Directory.Delete(folder);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^chunk\.\d{5}\.done$")]
    private static partial Regex MarkerName();

    [GeneratedRegex(@"^\.attempt-\d{5}-\d+-[0-9a-f]{32}$")]
    private static partial Regex AttemptName();

    [GeneratedRegex(@"^(alpha|foreground|composition|segmentation)\.\d{5}$")]
    private static partial Regex FolderSegmentName();

    // Markers, video segments, join lists, Slurm's logs of the chunk and join jobs.
    [GeneratedRegex(@"^(chunk\.\d{5}\.done|subject\.\d{5}\.keep|(alpha|foreground|composition|segmentation)\.\d{5}\.[A-Za-z0-9]{1,8}|\.join-[a-z]+-[0-9a-f]{32}\.txt|slurm-\d+_\d+\.out|slurm-join-\d+\.out)$")]
    private static partial Regex MadeFileName();
}
