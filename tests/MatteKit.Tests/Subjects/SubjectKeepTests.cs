using MatteKit.Media;
using MatteKit.Subjects;
using MatteKit.Tests.TestSupport;
using Xunit;

namespace MatteKit.Tests.Subjects;

/// <summary>
/// The keep map a person pass writes: applied against a direct product at an odd frame size, stored in blocks and
/// read back exactly (across a block's end, after reading backwards), and every damage to a block told in one line.
/// </summary>
public sealed class SubjectKeepTests
{
    private const int Width = 37, Height = 23;

    [Fact]
    public void ApplyIsTheRoundedProductInsideTheBoxAndZeroOutside()
    {
        var random = new Random(27);
        var keep = RandomKeep(random, new PixelBox(3, 5, 30, 19));
        var alpha = new byte[Width * Height];
        random.NextBytes(alpha);
        var expected = alpha.ToArray();
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
            {
                int i = y * Width + x;
                bool inside = x >= 3 && x < 30 && y >= 5 && y < 19;
                expected[i] = inside ? (byte)Math.Round(alpha[i] * keep.Row(y)[x - 3] / 255.0, MidpointRounding.AwayFromZero) : (byte)0;
            }
        keep.ApplyTo(alpha);
        Assert.Equal(expected, alpha);

        // 255 leaves alpha as it is; an empty box keeps nothing.
        var full = new SubjectKeep();
        full.Reset(Width, Height, new PixelBox(0, 0, Width, Height));
        full.Values.AsSpan(0, Width * Height).Fill(255);
        var same = new byte[Width * Height];
        random.NextBytes(same);
        var before = same.ToArray();
        full.ApplyTo(same);
        Assert.Equal(before, same);
        full.KeepNothing(Width, Height);
        full.ApplyTo(same);
        Assert.All(same, a => Assert.Equal(0, a));
        Assert.Throws<ArgumentException>(() => full.ApplyTo(new byte[Width * Height - 1]));
        Assert.Throws<ArgumentException>(() => full.Reset(Width, Height, new PixelBox(0, 0, Width + 1, Height)));
    }

    [Theory]
    [InlineData(2, 19, 12, 1, 2, 18, 11)]
    [InlineData(3, 13, 8, 0, 0, 13, 8)]
    [InlineData(2, 19, 12, 4, 3, 5, 9)]
    public void UpsampleIsBilinearBetweenGridCentresClampedAtTheBox(int scale, int gridWidth, int gridHeight, int left, int top, int right, int bottom)
    {
        var random = new Random(30 + scale);
        var grid = new SubjectKeep();
        grid.Reset(gridWidth, gridHeight, new PixelBox(left, top, right, bottom));
        random.NextBytes(grid.Values);
        // A frame whose size is not a multiple of the grid's: the last grid pixels cover fewer frame pixels.
        int width = gridWidth * scale - 1, height = gridHeight * scale - 1;
        var keep = new SubjectKeep();
        keep.Upsample(grid, scale, width, height);
        Assert.Equal(new PixelBox(left * scale, top * scale, Math.Min(right * scale, width), Math.Min(bottom * scale, height)), keep.Box);
        for (int y = keep.Box.Top; y < keep.Box.Bottom; y++)
            for (int x = keep.Box.Left; x < keep.Box.Right; x++)
            {
                double gx = Math.Clamp((x + 0.5) / scale - 0.5, left, right - 1), gy = Math.Clamp((y + 0.5) / scale - 0.5, top, bottom - 1);
                int x0 = (int)Math.Floor(gx), y0 = (int)Math.Floor(gy), x1 = Math.Min(x0 + 1, right - 1), y1 = Math.Min(y0 + 1, bottom - 1);
                double fx = gx - x0, fy = gy - y0;
                double At(int u, int v) => grid.Row(v)[u - left];
                double expected = (At(x0, y0) * (1 - fx) + At(x1, y0) * fx) * (1 - fy) + (At(x0, y1) * (1 - fx) + At(x1, y1) * fx) * fy;
                Assert.True(Math.Abs(keep.Row(y)[x - keep.Box.Left] - expected) <= 0.5 + 1e-9, $"({x}, {y}): {keep.Row(y)[x - keep.Box.Left]}, bilinear {expected:0.00}");
            }

        // All 255 stays 255 exactly; an empty grid keeps nothing.
        grid.Values.AsSpan().Fill(255);
        keep.Upsample(grid, scale, width, height);
        Assert.All(keep.Values.AsSpan(0, keep.BoxWidth * keep.BoxHeight).ToArray(), v => Assert.Equal(255, v));
        grid.KeepNothing(gridWidth, gridHeight);
        keep.Upsample(grid, scale, width, height);
        Assert.Equal(default, keep.Box);
    }

    [Fact]
    public void BlocksReadBackEveryFrameExactly()
    {
        using var dir = new TempFolder();
        int frames = SubjectKeepWriter.BlockFrames * 2 + 7;
        var random = new Random(28);
        var stored = new List<SubjectKeep>();
        using (var writer = new SubjectKeepWriter(dir.Path))
        {
            for (int f = 0; f < frames; f++)
            {
                // Some frames keep nothing (the subject lost), one keeps the whole frame.
                int left = random.Next(Width), top = random.Next(Height);
                var box = f % 9 == 4 ? default : f == 10 ? new PixelBox(0, 0, Width, Height) : new PixelBox(left, top, random.Next(left, Width + 1), random.Next(top, Height + 1));
                var keep = RandomKeep(random, box);
                writer.Add(keep);
                var copy = new SubjectKeep();
                keep.CopyTo(copy);
                stored.Add(copy);
            }
            writer.Complete();
            Assert.Equal(3, writer.Hashes.Count);
            Assert.Equal(frames, writer.Frames);
            using var reader = new SubjectKeepReader(dir.Path, writer.Hashes, frames, PixelLimit.Default);
            var read = new SubjectKeep();
            // A chunk's frames in order across a block's end, then another chunk's from earlier, skipping some.
            foreach (int f in Enumerable.Range(45, 20).Concat(new[] { 3, 4, 99, 100, frames - 1 }))
            {
                reader.Read(f, read);
                Assert.Equal((stored[f].Width, stored[f].Height, stored[f].Box), (read.Width, read.Height, read.Box));
                Assert.True(stored[f].Values.AsSpan(0, stored[f].BoxWidth * stored[f].BoxHeight).SequenceEqual(read.Values.AsSpan(0, read.BoxWidth * read.BoxHeight)), $"frame {f} differs");
            }
        }
        Assert.Equal(new[] { "subject.00000.keep", "subject.00001.keep", "subject.00002.keep" }, Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void ADamagedMissingOrForeignBlockIsOneLineNamingIt()
    {
        using var dir = new TempFolder();
        var random = new Random(29);
        IReadOnlyList<string> hashes;
        using (var writer = new SubjectKeepWriter(dir.Path))
        {
            for (int f = 0; f < SubjectKeepWriter.BlockFrames + 1; f++) writer.Add(RandomKeep(random, new PixelBox(1, 1, 20, 20)));
            writer.Complete();
            hashes = writer.Hashes.ToArray();
        }
        string first = Path.Combine(dir.Path, SubjectKeepWriter.BlockName(0)), second = Path.Combine(dir.Path, SubjectKeepWriter.BlockName(1));
        var keep = new SubjectKeep();

        var bytes = File.ReadAllBytes(first);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(first, bytes);
        var changed = Assert.Throws<MediaFormatException>(() => new SubjectKeepReader(dir.Path, hashes, SubjectKeepWriter.BlockFrames + 1, PixelLimit.Default).Read(0, keep));
        Assert.Equal($"{first}: is not the block of the person pass the plan recorded (changed or damaged; plan again)", changed.Message);

        // A block whose hash was recorded for it but that holds fewer frames than it should (written by hand).
        File.WriteAllBytes(second, []);
        var emptyHash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Array.Empty<byte>())).ToLowerInvariant();
        var truncated = Assert.Throws<MediaFormatException>(() => new SubjectKeepReader(dir.Path, [hashes[0], emptyHash], SubjectKeepWriter.BlockFrames + 1, PixelLimit.Default)
            .Read(SubjectKeepWriter.BlockFrames, keep));
        Assert.StartsWith($"{second}: is not a block of keep maps", truncated.Message);

        // Not a regular file where a block should be: one line, never a read without end (a FIFO) or of all memory (/dev/zero).
        File.Delete(second);
        File.CreateSymbolicLink(second, "/dev/zero");
        var device = Assert.Throws<MediaFormatException>(() => new SubjectKeepReader(dir.Path, hashes, SubjectKeepWriter.BlockFrames + 1, PixelLimit.Default).Read(SubjectKeepWriter.BlockFrames, keep));
        Assert.Equal($"{second}: is a device, not a block of keep maps; only regular files are read", device.Message);
        Assert.False(SubjectKeepReader.AllIntact(dir.Path, hashes));
        File.Delete(second);
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", second)) mkfifo.WaitForExit();
        var fifo = Assert.Throws<MediaFormatException>(() => new SubjectKeepReader(dir.Path, hashes, SubjectKeepWriter.BlockFrames + 1, PixelLimit.Default).Read(SubjectKeepWriter.BlockFrames, keep));
        Assert.StartsWith($"{second}: is a FIFO (named pipe)", fifo.Message);
        File.Delete(second);
        Directory.CreateDirectory(second);
        Assert.StartsWith($"{second}: is a folder", Assert.Throws<MediaFormatException>(
            () => new SubjectKeepReader(dir.Path, hashes, SubjectKeepWriter.BlockFrames + 1, PixelLimit.Default).Read(SubjectKeepWriter.BlockFrames, keep)).Message);
        Directory.Delete(second);
        var missing = Assert.Throws<MediaFormatException>(() => new SubjectKeepReader(dir.Path, hashes, SubjectKeepWriter.BlockFrames + 1, PixelLimit.Default).Read(SubjectKeepWriter.BlockFrames, keep));
        Assert.Equal($"{second}: is missing: the plan's person pass is not all there (plan again)", missing.Message);
        Assert.Throws<ArgumentException>(() => new SubjectKeepReader(dir.Path, hashes, 3 * SubjectKeepWriter.BlockFrames, PixelLimit.Default));
    }

    private static SubjectKeep RandomKeep(Random random, PixelBox box)
    {
        var keep = new SubjectKeep();
        keep.Reset(Width, Height, box);
        for (int y = box.Top; y < box.Bottom; y++)
        {
            var row = keep.Row(y);
            for (int x = 0; x < row.Length; x++) row[x] = (x + y) % 3 == 0 ? (byte)255 : (x * y) % 5 == 0 ? (byte)0 : (byte)random.Next(256);
        }
        return keep;
    }
}
