namespace MatteKit.Media;

/// <summary>The kind of file a path names.</summary>
internal enum FileKind
{
    Regular,
    Directory,
    Fifo,
    Device,
    Socket,
    Other,
}
