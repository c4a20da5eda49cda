using System.IO.Compression;
using System.Security.Cryptography;
using MatteKit.Media;

namespace MatteKit.Subjects;

/// <summary>
/// Reads back the keep maps a <see cref="SubjectKeepWriter"/> stored, by frame index, in increasing order (a chunk's
/// frames). Each block's SHA-256 is checked against the one recorded before anything in it is read, and every field
/// is bounded, so that a damaged, replaced or truncated block is one line naming it, never a wrong matte.
/// </summary>
internal sealed class SubjectKeepReader : IDisposable
{
    private readonly string _folder;
    private readonly IReadOnlyList<string> _hashes;
    private readonly int _frames;
    private readonly long _maxPixels;
    private BinaryReader? _reader;
    private string _blockPath = "";
    private int _block = -1, _next;

    /// <param name="folder">Where the blocks are.</param>
    /// <param name="hashes">Each block's SHA-256, as the writer gave them.</param>
    /// <param name="frames">Frames stored.</param>
    /// <param name="maxPixels">The most pixels a frame's map may have (the conversion's pixel limit).</param>
    public SubjectKeepReader(string folder, IReadOnlyList<string> hashes, int frames, long maxPixels)
    {
        if (hashes.Count != (frames + SubjectKeepWriter.BlockFrames - 1) / SubjectKeepWriter.BlockFrames)
            throw new ArgumentException($"{hashes.Count} block(s) recorded for {frames} frame(s) of {SubjectKeepWriter.BlockFrames} a block", nameof(hashes));
        (_folder, _hashes, _frames, _maxPixels) = (folder, hashes, frames, maxPixels);
    }

    /// <summary>Reads frame <paramref name="frame"/>'s map into <paramref name="keep"/>.</summary>
    /// <exception cref="MediaFormatException">The block is missing, not the one recorded, or does not hold the frame.</exception>
    public void Read(int frame, SubjectKeep keep)
    {
        if (frame < 0 || frame >= _frames) throw new ArgumentOutOfRangeException(nameof(frame), $"frame {frame} of {_frames} stored");
        int block = frame / SubjectKeepWriter.BlockFrames;
        if (block != _block || frame < _next) Open(block);
        try
        {
            while (_next <= frame)
            {
                ReadOne(keep);
                _next++;
            }
        }
        catch (EndOfStreamException e)
        {
            throw Damaged($"ends before frame {_next}", e);
        }
        catch (InvalidDataException e)
        {
            throw Damaged("is not zlib data", e);
        }
    }

    private void ReadOne(SubjectKeep keep)
    {
        var r = _reader!;
        int width = r.ReadInt32(), height = r.ReadInt32();
        if (width < 1 || height < 1 || (long)width * height > _maxPixels) throw Damaged($"gives frame {_next} a size of {width}x{height}");
        var box = new PixelBox(r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32());
        try
        {
            keep.Reset(width, height, box);
        }
        catch (ArgumentException)
        {
            throw Damaged($"gives frame {_next} a box {box} outside its {width}x{height}");
        }
        r.BaseStream.ReadExactly(keep.Values, 0, keep.BoxWidth * keep.BoxHeight);
    }

    private void Open(int block)
    {
        _reader?.Dispose();
        _reader = null;
        _blockPath = Path.Combine(_folder, SubjectKeepWriter.BlockName(block));
        // Read once: the bytes hashed are the bytes decompressed, whatever happens to the file meanwhile.
        var (found, bytes) = Intact(_blockPath, _hashes[block]);
        if (!found) throw new MediaFormatException(_blockPath, "is missing: the plan's person pass is not all there (plan again)");
        if (bytes is null) throw new MediaFormatException(_blockPath, "is not the block of the person pass the plan recorded (changed or damaged; plan again)");
        _reader = new BinaryReader(new ZLibStream(new MemoryStream(bytes, writable: false), CompressionMode.Decompress));
        try
        {
            Span<byte> magic = stackalloc byte[SubjectKeepWriter.Magic.Length];
            _reader.BaseStream.ReadExactly(magic);
            if (!magic.SequenceEqual(SubjectKeepWriter.Magic)) throw Damaged("is not a block of keep maps");
            int first = _reader.ReadInt32();
            if (first != block * SubjectKeepWriter.BlockFrames) throw Damaged($"starts at frame {first}, not {block * SubjectKeepWriter.BlockFrames}");
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException)
        {
            throw Damaged("is not a block of keep maps", e);
        }
        (_block, _next) = (block, block * SubjectKeepWriter.BlockFrames);
    }

    /// <summary>Whether every block is in <paramref name="folder"/> as <paramref name="hashes"/> recorded.</summary>
    public static bool AllIntact(string folder, IReadOnlyList<string> hashes)
    {
        try
        {
            return hashes.Select((hash, i) => Intact(Path.Combine(folder, SubjectKeepWriter.BlockName(i)), hash)).All(block => block.Bytes is not null);
        }
        catch (MediaFormatException)
        {
            return false; // not a regular file, or too large to be a block
        }
    }

    /// <summary>Whether the block is there, and its bytes when it is the one recorded (null when another).</summary>
    /// <exception cref="MediaFormatException">Not a regular file (a FIFO, a device, a folder) or too large to be a block: one line.</exception>
    private static (bool Found, byte[]? Bytes) Intact(string path, string hash)
    {
        if (!Path.Exists(path)) return (false, null);
        // As every file a user can put in place: only a regular file, never more than a block can hold.
        var bytes = InputFile.ReadAllBytes(path, SubjectKeepWriter.MaxBlockBytes, "a block of keep maps");
        return (true, SubjectKeepWriter.HashOf(new MemoryStream(bytes)) == hash ? bytes : null);
    }

    private MediaFormatException Damaged(string problem, Exception? inner = null) => new(_blockPath, $"{problem} (a damaged person pass; plan again)", inner);

    public void Dispose() => _reader?.Dispose();
}
