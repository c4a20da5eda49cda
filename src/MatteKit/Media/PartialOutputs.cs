using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;

namespace MatteKit.Media;

/// <summary>
/// Every temporary output of this process that is not yet committed or removed (<see cref="OutputFile"/>,
/// <see cref="OutputFolder"/>). Normally each removes its own; <see cref="RemoveAll"/> is the last resort of a
/// process that must exit at once (a second Ctrl-C, or a phase that did not stop in time after a signal), so that
/// no partial file is left behind even then. A process killed outright (<c>kill -9</c>) removes nothing: the next
/// output to the same final name removes what it left (<see cref="RemoveAbandoned"/>).
/// </summary>
internal static class PartialOutputs
{
    private static readonly ConcurrentDictionary<string, bool> Pending = new(StringComparer.Ordinal);

    internal static void Add(string workingPath, bool isFolder) => Pending[workingPath] = isFolder;

    internal static void Forget(string workingPath) => Pending.TryRemove(workingPath, out _);

    /// <summary>
    /// Held while an output is renamed to its final name (and, by a caller, around what must go with a set of them):
    /// a process ended at once by a second signal takes it first, so it never ends halfway through a commit and can
    /// say truthfully whether anything was kept.
    /// </summary>
    internal static readonly object CommitGate = new();

    private static int _committed;

    /// <summary>Whether any output of this process reached its final name.</summary>
    internal static bool AnyCommitted => Volatile.Read(ref _committed) > 0;

    /// <summary>Called under <see cref="CommitGate"/> once <paramref name="workingPath"/> has its final name.</summary>
    internal static void Committed(string workingPath)
    {
        Interlocked.Increment(ref _committed);
        Forget(workingPath);
    }

    /// <summary>
    /// A new temporary name beside the output <c>STEM EXTENSION</c> in <paramref name="parent"/>:
    /// <c>.STEM.partial-PID-GUID EXTENSION</c>, hidden, naming the process that writes it.
    /// </summary>
    internal static string NewWorkingPath(string parent, string stem, string extension)
        => Path.Combine(parent, $".{WorkingStem(stem, extension)}.partial-{Environment.ProcessId}-{Guid.NewGuid():N}{extension}");

    /// <summary>The longest file name a file system takes, in bytes (ext4, XFS, Btrfs, tmpfs: 255).</summary>
    private const int MaxNameBytes = 255;

    /// <summary>What a temporary name adds to its stem and extension: ".", ".partial-", a process id of up to 10 digits, "-" and 32 hex digits.</summary>
    private const int WorkingNameBytes = 1 + 9 + 10 + 1 + 32;

    /// <summary>
    /// <paramref name="stem"/> as a temporary name holds it: whole where it fits within <see cref="MaxNameBytes"/>, else
    /// cut at a character and followed by "~" and a hash of the whole stem (outputs whose long names differ only at
    /// the end keep temporaries of their own). An output whose name had more than about 200 bytes was refused as "too
    /// long" for its temporary name, though its own name fits.
    /// </summary>
    private static string WorkingStem(string stem, string extension)
        => FittedName(stem, WorkingNameBytes + System.Text.Encoding.UTF8.GetByteCount(extension));

    /// <summary>
    /// <paramref name="stem"/> as a file name that adds <paramref name="addedBytes"/> to it holds it: whole where the
    /// name fits within <see cref="MaxNameBytes"/>, else cut at a character and followed by "~" and a hash of the whole
    /// stem, so that names from long stems that differ only at the end stay apart (temporaries; the plan that
    /// <c>convert --workers</c> leaves beside an output; a plan's segments folder).
    /// </summary>
    internal static string FittedName(string stem, int addedBytes)
    {
        int room = MaxNameBytes - addedBytes;
        if (System.Text.Encoding.UTF8.GetByteCount(stem) <= room) return stem;
        string hash = "~" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(stem)))[..8].ToLowerInvariant();
        int bytes = 0, length = 0;
        foreach (var rune in stem.EnumerateRunes())
        {
            if (bytes + rune.Utf8SequenceLength > room - hash.Length) break;
            bytes += rune.Utf8SequenceLength;
            length += rune.Utf16SequenceLength;
        }
        return stem[..length] + hash;
    }

    /// <summary>
    /// Removes the temporaries of the output <c>STEM EXTENSION</c> in <paramref name="parent"/> whose process is gone
    /// (a writer killed with no chance to clean up). Only on Linux, where <c>/proc/PID</c> tells whether it lives;
    /// one whose process lives (or cannot be seen) is never touched.
    /// </summary>
    /// <param name="parent">The output's folder.</param>
    /// <param name="stem">The output's name, less <paramref name="extension"/>.</param>
    /// <param name="extension">What follows the GUID in the temporary name ("" for a folder).</param>
    /// <param name="isFolder">The temporaries are folders (only real folders removed, never a link).</param>
    internal static void RemoveAbandoned(string parent, string stem, string extension, bool isFolder)
        => RemoveAbandonedMatching(parent, Regex.Escape(WorkingStem(stem, extension)), extension, isFolder);

    /// <summary>
    /// <see cref="RemoveAbandoned"/> for every output whose name less <paramref name="extension"/> matches
    /// <paramref name="stemPattern"/> (a regular expression): the outputs of one writer whose names vary, such as
    /// training's rescue checkpoints <c>NAME-stepN-PID.ckpt</c>, which no later output replaces.
    /// </summary>
    internal static void RemoveAbandonedMatching(string parent, string stemPattern, string extension, bool isFolder)
    {
        // Without /proc, or with a /proc that hides other processes (hidepid), no process can be told dead.
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/proc/1")) return;
        var name = new Regex($"^\\.(?:{stemPattern})\\.partial-(\\d{{1,9}})-[0-9a-f]{{32}}{Regex.Escape(extension)}$", RegexOptions.CultureInvariant);
        IEnumerable<FileSystemInfo> entries;
        try
        {
            entries = new DirectoryInfo(parent).EnumerateFileSystemInfos($".*.partial-*{extension}").ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }
        foreach (var entry in entries)
        {
            if (name.Match(entry.Name) is not { Success: true } match) continue;
            int pid = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            if (pid == Environment.ProcessId || Directory.Exists($"/proc/{pid}")) continue;
            try
            {
                if (isFolder && entry is DirectoryInfo { LinkTarget: null } folder) folder.Delete(recursive: true);
                else if (!isFolder && entry is FileInfo) entry.Delete();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left in place: someone else's, or being removed by another process.
            }
        }
    }

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
