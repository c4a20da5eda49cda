using System.IO.Compression;
using System.Security.Cryptography;
using MatteKit.Media;

namespace MatteKit.Subjects;

/// <summary>
/// Stores a person pass's keep maps (<see cref="SubjectKeep"/>), frame after frame from frame 0, in block files of
/// <see cref="BlockFrames"/> frames each (<see cref="BlockName"/>), zlib-compressed: a map is 255 over the subject and
/// 0 elsewhere but for a thin fade, so it shrinks to a few kilobytes. Each block appears under its final name only
/// when complete, and its SHA-256 is kept (<see cref="Hashes"/>) for the reader to check. A pass disposed before
/// <see cref="Complete"/> (failed or stopped) removes the blocks it finished: a pass is stored whole or not at all.
/// </summary>
internal sealed class SubjectKeepWriter : IDisposable
{
    /// <summary>Frames in each block: a chunk reads only the blocks its frames fall in.</summary>
    public const int BlockFrames = 50;

    /// <summary>What a block file begins with once decompressed (the format's version in its last two characters).</summary>
    public static ReadOnlySpan<byte> Magic => "MKKEEP01"u8;

    private readonly string _folder;
    private readonly List<string> _hashes = new();
    private readonly List<string> _finished = new();
    private bool _complete;
    private OutputFile? _file;
    private FileStream? _raw;
    private ZLibStream? _zlib;
    private BinaryWriter? _writer;
    private int _frames;

    public SubjectKeepWriter(string folder) => _folder = folder;

    /// <summary>
    /// The largest block file read: keep maps compress to a few kilobytes a frame, so a block this large is not one
    /// (the reader holds a block in memory to hash and read the same bytes).
    /// </summary>
    public const long MaxBlockBytes = 256L << 20;

    /// <summary>A block's SHA-256 as the plan records it (lower-case hex).</summary>
    public static string HashOf(Stream block) => Convert.ToHexString(SHA256.HashData(block)).ToLowerInvariant();

    /// <summary>The file name of block <paramref name="index"/>.</summary>
    public static string BlockName(int index) => $"subject.{index:D5}.keep";

    /// <summary>The SHA-256 (lower-case hex) of each block finished so far, in order.</summary>
    public IReadOnlyList<string> Hashes => _hashes;

    /// <summary>Frames stored so far.</summary>
    public int Frames => _frames;

    /// <summary>Stores the next frame's map.</summary>
    public void Add(SubjectKeep keep)
    {
        if (_writer is null) Open();
        var box = keep.Box;
        foreach (int value in new[] { keep.Width, keep.Height, box.Left, box.Top, box.Right, box.Bottom }) _writer!.Write(value);
        _writer!.Write(keep.Values, 0, keep.BoxWidth * keep.BoxHeight);
        if (++_frames % BlockFrames == 0) Finish();
    }

    /// <summary>Finishes the last block (a partial one). No more frames are taken after it.</summary>
    public void Complete()
    {
        if (_writer is not null) Finish();
        _complete = true;
    }

    private void Open()
    {
        int block = _frames / BlockFrames;
        _file = new OutputFile(Path.Combine(_folder, BlockName(block)));
        _raw = new FileStream(_file.WorkingPath, FileMode.Create, FileAccess.Write);
        _zlib = new ZLibStream(_raw, CompressionLevel.Fastest);
        _writer = new BinaryWriter(_zlib);
        _writer.Write(Magic);
        _writer.Write(block * BlockFrames);
    }

    private void Finish()
    {
        _writer!.Dispose(); // closes the zlib and file streams under it
        (_writer, _zlib, _raw) = (null, null, null);
        _file!.Commit();
        _finished.Add(_file.FinalPath);
        using (var stream = File.OpenRead(_file.FinalPath)) _hashes.Add(HashOf(stream));
        _file.Dispose();
        _file = null;
    }

    public void Dispose()
    {
        _writer?.Dispose();
        _file?.Dispose(); // an unfinished block is removed
        if (_complete) return;
        foreach (var block in _finished)
        {
            try
            {
                File.Delete(block);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left: the reader checks every block against the plan's hashes anyway.
            }
        }
    }
}
