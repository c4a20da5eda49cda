using System.Runtime.InteropServices;

namespace MatteKit.Chunking;

/// <summary>
/// A second name for a finished frame: a hard link where the file system allows one (no bytes copied), else a copy.
/// The join gives the output folder its frames this way rather than moving them, so that a join stopped at any
/// point (Ctrl-C, <c>kill -9</c>, a full disk) leaves every chunk's segment as it was.
/// </summary>
internal static class FrameLink
{
    public static void Create(string existing, string newName)
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                if (Link(existing, newName) == 0) return;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                // A libc without link(2): the copy below.
            }
        }
        // Another file system (EXDEV), one without hard links, or another OS.
        File.Copy(existing, newName);
    }

    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int Link([MarshalAs(UnmanagedType.LPUTF8Str)] string existing, [MarshalAs(UnmanagedType.LPUTF8Str)] string newName);
}
