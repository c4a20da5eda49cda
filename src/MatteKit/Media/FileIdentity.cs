using System.Runtime.InteropServices;

namespace MatteKit.Media;

/// <summary>
/// What a path names on disk: the device and inode (after following symbolic links) and the kind of file. Two
/// paths name the same file exactly when their identities are equal, whatever symlinks, <c>..</c> or hard links
/// lie between them; the kind tells a plain file from a FIFO or a device, which must not be read as data.
/// </summary>
/// <remarks>
/// Read with Linux's <c>statx</c>, whose layout is the same on every architecture. Elsewhere (or where the call is
/// missing) the identity falls back to the fully resolved path, which still catches symlinks and <c>..</c>.
/// </remarks>
internal readonly record struct FileIdentity(ulong Device, ulong Inode, string? ResolvedPath, FileKind Kind)
{
    private const int AtFdCwd = -100;
    private const uint StatxBasicStats = 0x7ff;

    /// <summary>The identity of <paramref name="path"/>, or null when nothing is there.</summary>
    public static FileIdentity? Of(string path)
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                return FromStatx(path);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                // A libc without statx: the path comparison below.
            }
        }
        if (!File.Exists(path) && !Directory.Exists(path)) return null;
        var resolved = Resolve(path);
        var kind = Directory.Exists(resolved) ? FileKind.Directory : FileKind.Regular;
        return new FileIdentity(0, 0, resolved, kind);
    }

    /// <summary>Whether both paths exist and name one file.</summary>
    public static bool Same(string a, string b) => Of(a) is { } x && Of(b) is { } y && x == y;

    /// <summary>
    /// Whether <paramref name="path"/> is <paramref name="folder"/> or lies anywhere below it, both with every symbolic
    /// link followed (so that neither a link nor <c>..</c> leads in or out unseen).
    /// </summary>
    public static bool IsSameOrInside(string path, string folder)
    {
        string resolvedPath = Resolve(path), resolvedFolder = Path.TrimEndingDirectorySeparator(Resolve(folder));
        return resolvedPath == resolvedFolder
               || resolvedPath.StartsWith(resolvedFolder.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    /// <summary>The path with every symbolic link along it followed, made absolute.</summary>
    public static string Resolve(string path)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full) ?? throw new InvalidOperationException($"{full}: a full path has a root");
        var current = root;
        foreach (var part in full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            FileSystemInfo info = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
            if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target)
                current = Path.GetFullPath(target.FullName);
        }
        return current;
    }

    private static unsafe FileIdentity? FromStatx(string path)
    {
        // struct statx: stx_mode (u16) at 28, stx_ino (u64) at 32, stx_dev_major/minor (u32) at 136/140; 256 bytes.
        byte* buffer = stackalloc byte[256];
        if (Statx(AtFdCwd, path, 0, StatxBasicStats, buffer) != 0) return null;
        uint mode = *(ushort*)(buffer + 28);
        ulong inode = *(ulong*)(buffer + 32);
        ulong device = ((ulong)*(uint*)(buffer + 136) << 32) | *(uint*)(buffer + 140);
        var kind = (mode & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0x1000 => FileKind.Fifo,
            0x2000 or 0x6000 => FileKind.Device,
            0xC000 => FileKind.Socket,
            _ => FileKind.Other,
        };
        return new FileIdentity(device, inode, null, kind);
    }

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern unsafe int Statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte* buffer);
}
