using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using MatteKit.Media;
using MatteKit.Tests.TestSupport;
using Xunit;

namespace MatteKit.Tests.Media;

[Trait("Needs", "shared")]
public sealed class PngFileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mattekit-png-" + Guid.NewGuid().ToString("N")[..8]);

    public PngFileTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "png", name);

    // ---------------------------------------------------------------------------------------------------
    // Round trips
    // ---------------------------------------------------------------------------------------------------

    public static TheoryData<int, int, int, bool> RoundTripCases()
    {
        var data = new TheoryData<int, int, int, bool>();
        foreach (int ch in new[] { 1, 3, 4 })
            foreach (var (w, h) in new[] { (1, 1), (3, 5), (17, 9), (64, 33) })
                foreach (bool noisy in new[] { false, true })
                    data.Add(ch, w, h, noisy);
        return data;
    }

    private static byte[] Pattern(int w, int h, int ch, bool noisy)
    {
        var px = new byte[w * h * ch];
        var rng = new Random(w * 1000 + h * 10 + ch);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int c = 0; c < ch; c++)
                    px[(y * w + x) * ch + c] = noisy ? (byte)rng.Next(256) : (byte)(x * 7 + y * 3 + c * 60);
        return px;
    }

    [Theory]
    [MemberData(nameof(RoundTripCases))]
    public void RoundTripIsBitExact(int channels, int w, int h, bool noisy)
    {
        byte[] px = Pattern(w, h, channels, noisy);
        string path = Path.Combine(_dir, $"rt_{channels}_{w}x{h}.png");
        foreach (var level in new[] { CompressionLevel.Fastest, CompressionLevel.Optimal })
        {
            switch (channels)
            {
                case 1:
                    PngFile.WriteGray(path, w, h, px, level);
                    var g = PngFile.ReadGray(path);
                    Assert.Equal((w, h), (g.Width, g.Height));
                    Assert.Equal(px, g.Pixels);
                    Assert.Equal(Expand(px, 1, 3), PngFile.ReadRgb(path).Pixels);
                    break;
                case 3:
                    PngFile.WriteRgb(path, w, h, px, level);
                    var rgb = PngFile.ReadRgb(path);
                    Assert.Equal((w, h), (rgb.Width, rgb.Height));
                    Assert.Equal(px, rgb.Pixels);
                    Assert.Equal(Expand(px, 3, 4), PngFile.ReadRgba(path).Pixels);
                    break;
                default:
                    PngFile.WriteRgba(path, w, h, px, level);
                    var rgba = PngFile.ReadRgba(path);
                    Assert.Equal((w, h), (rgba.Width, rgba.Height));
                    Assert.Equal(px, rgba.Pixels);
                    Assert.Equal(Expand(px, 4, 3), PngFile.ReadRgb(path).Pixels);
                    break;
            }
        }
        Assert.Single(Directory.GetFiles(_dir));
    }

    /// <summary>Grey → RGB, RGB → RGBA (alpha 255), RGBA → RGB (alpha dropped).</summary>
    private static byte[] Expand(byte[] px, int from, int to)
    {
        int n = px.Length / from;
        var o = new byte[n * to];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < to; c++)
                o[i * to + c] = c == 3 ? (from == 4 ? px[i * from + 3] : (byte)255) : px[i * from + Math.Min(c, from - 1)];
        return o;
    }

    [Fact]
    public void RgbImageOverloadAndStreamReadAgree()
    {
        var img = new RgbImage(5, 4, Pattern(5, 4, 3, noisy: true));
        string path = Path.Combine(_dir, "img.png");
        PngFile.WriteRgb(path, img);
        using var fs = File.OpenRead(path);
        var back = PngFile.ReadRgb(fs, "img.png");
        Assert.Equal(img.Pixels, back.Pixels);
    }

    [Fact]
    public void RgbImageValidatesLength()
    {
        Assert.Throws<ArgumentException>(() => new RgbImage(2, 2, new byte[11]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RgbImage(0, 2, []));
    }

    [Fact]
    public void WriteRejectsWrongLengthWithoutCreatingAnything()
    {
        string path = Path.Combine(_dir, "bad.png");
        Assert.Throws<ArgumentException>(() => PngFile.WriteRgb(path, 4, 4, new byte[47]));
        Assert.Throws<ArgumentOutOfRangeException>(() => PngFile.WriteGray(path, 0, 4, []));
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void WriteOverwritesAtomicallyAndLeavesNoTemporaryFile()
    {
        string path = Path.Combine(_dir, "out.png");
        PngFile.WriteGray(path, 2, 2, [1, 2, 3, 4]);
        PngFile.WriteGray(path, 3, 1, [9, 8, 7]);
        var g = PngFile.ReadGray(path);
        Assert.Equal((3, 1), (g.Width, g.Height));
        Assert.Equal([9, 8, 7], g.Pixels);
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    [Fact]
    public void FailedWriteDeletesTemporaryFile()
    {
        // The target is a folder, so the final move fails after the temporary file was written completely.
        string target = Path.Combine(_dir, "taken.png");
        Directory.CreateDirectory(target);
        Assert.ThrowsAny<Exception>(() => PngFile.WriteRgb(target, 2, 1, new byte[6]));
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public void WriterSplitsLargeDataIntoSeveralIdatChunks()
    {
        const int w = 300, h = 200;
        byte[] px = Pattern(w, h, 3, noisy: true);
        string path = Path.Combine(_dir, "big.png");
        PngFile.WriteRgb(path, w, h, px);
        var chunks = Chunks(File.ReadAllBytes(path));
        Assert.Equal("IHDR", chunks[0].Type);
        Assert.Equal("IEND", chunks[^1].Type);
        Assert.True(chunks.Count(c => c.Type == "IDAT") > 1);
        Assert.Equal(px, PngFile.ReadRgb(path).Pixels);
    }

    // ---------------------------------------------------------------------------------------------------
    // Fixtures written by Fixtures/png/make_fixtures.py (its own encoder; expected pixels cross-checked with Pillow)
    // ---------------------------------------------------------------------------------------------------

    private static readonly string[] FixtureList =
    [
        "gray1", "gray1_adam7", "gray2", "gray4_adam7", "gray8_adam7", "gray16", "grayalpha8", "grayalpha16_adam7",
        "rgb8", "rgb8_adam7", "rgb8_adam7_3x2", "rgb8_adam7_1x1", "rgb16", "rgba8_adam7", "rgba16",
        "palette1", "palette2_trns", "palette4_adam7", "palette8_trns",
    ];

    public static TheoryData<string> FixtureNames() => new(FixtureList);

    [Theory]
    [MemberData(nameof(FixtureNames))]
    public void DecodesFixtureLikeReference(string name)
    {
        string png = Fixture(name + ".png");
        byte[] rgb = File.ReadAllBytes(Fixture(name + ".rgb"));
        byte[] rgba = File.ReadAllBytes(Fixture(name + ".rgba"));

        var img = PngFile.ReadRgb(png);
        Assert.Equal(rgb.Length, img.Width * img.Height * 3);
        Assert.Equal(rgb, img.Pixels);

        var a = PngFile.ReadRgba(png);
        Assert.Equal((img.Width, img.Height), (a.Width, a.Height));
        Assert.Equal(rgba, a.Pixels);

        using (var fs = File.OpenRead(png))
            Assert.Equal(rgb, PngFile.ReadRgb(new NonSeekableStream(fs), name).Pixels);

        if (name.StartsWith("gray", StringComparison.Ordinal))
        {
            var g = PngFile.ReadGray(png);
            Assert.Equal((img.Width, img.Height), (g.Width, g.Height));
            Assert.Equal(rgb.Where((_, i) => i % 3 == 0).ToArray(), g.Pixels);
        }
        else
        {
            var ex = Assert.Throws<MediaFormatException>(() => PngFile.ReadGray(png));
            Assert.Contains("expected a greyscale PNG", ex.Message);
            Assert.StartsWith(png + ": ", ex.Message);
        }
    }

    [Fact]
    public void FixturesCoverTheFormat()
    {
        var seen = new HashSet<(int Type, int Depth)>();
        var filters = new HashSet<int>();
        bool interlaced = false, multiIdat = false;
        foreach (string name in FixtureList)
        {
            var chunks = Chunks(File.ReadAllBytes(Fixture(name + ".png")));
            var ihdr = chunks[0].Data;
            seen.Add((ihdr[9], ihdr[8]));
            interlaced |= ihdr[12] == 1;
            multiIdat |= chunks.Count(c => c.Type == "IDAT") > 1;
            Assert.True(new FileInfo(Fixture(name + ".png")).Length < 2048);
            if (ihdr[12] == 0)
            {
                // Non-interlaced: read the filter byte of each row.
                int w = BinaryPrimitives.ReadInt32BigEndian(ihdr), h = BinaryPrimitives.ReadInt32BigEndian(ihdr.AsSpan(4));
                int ch = ihdr[9] switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };
                int rowBytes = (w * ch * ihdr[8] + 7) / 8;
                using var z = new ZLibStream(new MemoryStream(chunks.Where(c => c.Type == "IDAT").SelectMany(c => c.Data).ToArray()),
                    CompressionMode.Decompress);
                var raw = new MemoryStream();
                z.CopyTo(raw);
                for (int y = 0; y < h; y++)
                    filters.Add(raw.GetBuffer()[y * (rowBytes + 1)]);
            }
        }
        Assert.Equal(15, seen.Count); // every legal (colour type, bit depth) pair
        Assert.Equal([0, 1, 2, 3, 4], filters.Order());
        Assert.True(interlaced);
        Assert.True(multiIdat);
    }

    // ---------------------------------------------------------------------------------------------------
    // Real files from shared/ (expected values from Pillow 9.4: Image.open(f) in mode L, or .convert("RGB"))
    // ---------------------------------------------------------------------------------------------------

    public sealed record Expected(bool Gray, int Width, int Height, long Sum, string Sha256Prefix, (int X, int Y, int Value)[] Pixels);

    private static readonly Dictionary<string, Expected> SharedExpectations = new()
    {
        ["images/skimage_astronaut_portrait.png"] = new(false, 512, 512, 90124324L, "a8c429c18afa7b0f", [(0, 0, 0x9A9397), (256, 256, 0x130E07), (511, 511, 0x000000), (170, 128, 0xD3CBCD)]),
        ["matting/p3m_p_07141906/alpha.png"] = new(true, 1080, 1080, 72835674L, "8f065fc482c445c1", [(0, 0, 0x00), (540, 540, 0x00), (1079, 1079, 0x00), (360, 270, 0x00), (821, 259, 0x03)]),
        ["matting/p3m_p_09ba26b4/alpha.png"] = new(true, 1920, 1080, 91635684L, "26edf0889d7bc42d", [(0, 0, 0x00), (960, 540, 0x00), (1919, 1079, 0x00), (640, 270, 0xFF), (479, 9, 0x01)]),
        ["matting/p3m_p_22fc0130/alpha.png"] = new(true, 1080, 1344, 208982919L, "2070bcbdce19e094", [(0, 0, 0x00), (540, 672, 0xFF), (1079, 1343, 0xFF), (360, 336, 0xFF), (610, 73, 0x01)]),
        ["matting/p3m_p_514ca06a/alpha.png"] = new(true, 1200, 1080, 125952157L, "ee17ba0b5e26de2e", [(0, 0, 0x00), (600, 540, 0xFF), (1199, 1079, 0xEC), (400, 270, 0xFF), (501, 88, 0x01)]),
        ["matting/p3m_p_51c916fc/alpha.png"] = new(true, 1618, 1080, 160293991L, "20e39f69cf740e8c", [(0, 0, 0x00), (809, 540, 0x00), (1617, 1079, 0xFF), (539, 270, 0x00), (1051, 0, 0x01)]),
        ["matting/p3m_p_71bcce3a/alpha.png"] = new(true, 1620, 1080, 166801687L, "e5b7dc22d9bcf8c9", [(0, 0, 0x00), (810, 540, 0x00), (1619, 1079, 0xFF), (540, 270, 0x00), (1197, 37, 0x01)]),
        ["matting/p3m_p_818e689d/alpha.png"] = new(true, 1728, 1080, 95029839L, "3375132296c791fb", [(0, 0, 0x00), (864, 540, 0xFE), (1727, 1079, 0x00), (576, 270, 0x00), (1048, 159, 0x01)]),
        ["matting/p3m_p_a09f6d7a/alpha.png"] = new(true, 1619, 1080, 44747662L, "53a7e84e90d1be6e", [(0, 0, 0x00), (809, 540, 0x00), (1618, 1079, 0x00), (539, 270, 0x00), (841, 269, 0x01)]),
        ["matting/p3m_p_bac3c1ff/alpha.png"] = new(true, 1728, 1080, 124641945L, "56397e33d6f8400c", [(0, 0, 0x00), (864, 540, 0x00), (1727, 1079, 0x00), (576, 270, 0x00), (1297, 20, 0x01)]),
        ["matting/p3m_p_bc5cfad1/alpha.png"] = new(true, 1723, 1080, 122668410L, "b067b5a9e781a5a8", [(0, 0, 0x00), (861, 540, 0xFF), (1722, 1079, 0x00), (574, 270, 0xFF), (692, 28, 0x02)]),
        ["matting/p3m_p_bd6af989/alpha.png"] = new(true, 1080, 1554, 100375929L, "34659245d96db218", [(0, 0, 0x00), (540, 777, 0xFF), (1079, 1553, 0x00), (360, 388, 0x00), (538, 414, 0x01)]),
        ["matting/p3m_p_d684dae3/alpha.png"] = new(true, 1920, 1080, 253320220L, "cfa09e74c7421762", [(0, 0, 0x00), (960, 540, 0xFF), (1919, 1079, 0x00), (640, 270, 0x00), (1073, 0, 0x06)]),
        ["plates/handheld_outdoor_1080p/background.png"] = new(false, 1920, 1080, 959566689L, "2651814e9450d7a3", [(0, 0, 0xB0B9C7), (960, 540, 0xF3C88C), (1919, 1079, 0x58534C), (640, 270, 0xBEDEE0)]),
        ["plates/pedestrians_static_cam_576p/background.png"] = new(false, 768, 576, 150766940L, "9611f6b3eba35ac3", [(0, 0, 0xB18F6A), (384, 288, 0xD3D3D0), (767, 575, 0x3F4B12), (256, 144, 0x7A874F)]),
        ["synthetic/hair_over_campus_512x288/pha/0000.png"] = new(true, 512, 288, 17385875L, "67b84b3c3b363a64", [(0, 0, 0x00), (256, 144, 0xFF), (511, 287, 0x00), (170, 72, 0x00), (262, 13, 0x0F)]),
        ["synthetic/hair_over_campus_512x288/pha/0001.png"] = new(true, 512, 288, 18016784L, "419d9af4be5a5db6", [(0, 0, 0x00), (256, 144, 0xFF), (511, 287, 0x00), (170, 72, 0x00), (276, 8, 0x08)]),
        ["synthetic/hair_over_campus_512x288/pha/0002.png"] = new(true, 512, 288, 18644870L, "95f3dd54dab34af9", [(0, 0, 0x00), (256, 144, 0xFF), (511, 287, 0x00), (170, 72, 0x00), (290, 3, 0x0B)]),
        ["synthetic/hair_over_campus_512x288/pha/0003.png"] = new(true, 512, 288, 19223436L, "c8273c64bb1cc349", [(0, 0, 0x00), (256, 144, 0xFF), (511, 287, 0x00), (170, 72, 0x00), (304, 0, 0x20)]),
        ["synthetic/hair_over_campus_512x288/pha/0004.png"] = new(true, 512, 288, 19677695L, "e4cef52f8fca89bb", [(0, 0, 0x00), (256, 144, 0xFF), (511, 287, 0x00), (170, 72, 0x00), (315, 0, 0x03)]),
        ["synthetic/hair_over_campus_512x288/pha/0005.png"] = new(true, 512, 288, 20049275L, "5b4e9144c0d7deff", [(0, 0, 0x00), (256, 144, 0xFF), (511, 287, 0x00), (170, 72, 0x00), (323, 0, 0x03)]),
        ["synthetic/hair_over_campus_512x288/pha/0006.png"] = new(true, 512, 288, 20329744L, "50aaedc08d1dd957", [(0, 0, 0x00), (256, 144, 0xFE), (511, 287, 0x00), (170, 72, 0x00), (327, 0, 0x02)]),
        ["synthetic/hair_over_campus_512x288/pha/0007.png"] = new(true, 512, 288, 20501734L, "4cf05b2b31604947", [(0, 0, 0x00), (256, 144, 0xFE), (511, 287, 0x04), (170, 72, 0x00), (326, 0, 0x01)]),
        ["synthetic/hair_over_campus_512x288/pha/0008.png"] = new(true, 512, 288, 20567677L, "20eaad504209916d", [(0, 0, 0x00), (256, 144, 0xFE), (511, 287, 0x0D), (170, 72, 0x00), (325, 0, 0x01)]),
        ["synthetic/hair_over_campus_512x288/pha/0009.png"] = new(true, 512, 288, 20525868L, "d06ce803d5378d9c", [(0, 0, 0x00), (256, 144, 0xFE), (511, 287, 0x00), (170, 72, 0x00), (324, 0, 0x08)]),
        ["synthetic/hair_over_campus_512x288/pha/0010.png"] = new(true, 512, 288, 20371201L, "1f547c4bf1a613ac", [(0, 0, 0x00), (256, 144, 0xFF), (511, 287, 0x00), (170, 72, 0x00), (322, 0, 0x29)]),
        ["synthetic/hair_over_campus_512x288/pha/0011.png"] = new(true, 512, 288, 20110479L, "ea57e1b7fce090ad", [(0, 0, 0x00), (256, 144, 0xFF), (511, 287, 0x00), (170, 72, 0x00), (319, 0, 0x2D)]),
        ["synthetic/hair_over_campus_512x288/pha/0012.png"] = new(true, 512, 288, 19754282L, "eb0dafc92c1dcbf8", [(0, 0, 0x00), (256, 144, 0xFF), (511, 287, 0x00), (170, 72, 0x00), (311, 0, 0x02)]),
        ["synthetic/hair_over_campus_512x288/pha/0013.png"] = new(true, 512, 288, 19313538L, "8bab8b031d043a35", [(0, 0, 0x00), (256, 144, 0xFF), (511, 287, 0x00), (170, 72, 0x00), (301, 0, 0x03)]),
        ["synthetic/hair_over_campus_512x288/pha/0014.png"] = new(true, 512, 288, 18758268L, "917cb53d610dc8cb", [(0, 0, 0x00), (256, 144, 0xFF), (511, 287, 0x00), (170, 72, 0x00), (286, 1, 0x1C)]),
        ["synthetic/hair_over_campus_512x288/pha/0015.png"] = new(true, 512, 288, 18130763L, "e3fec6edbadc6e27", [(0, 0, 0x00), (256, 144, 0xFF), (511, 287, 0x00), (170, 72, 0x00), (272, 6, 0x0A)]),
        ["synthetic/hair_over_campus_512x288/pha/0016.png"] = new(true, 512, 288, 17495777L, "ed58715f37b3a83d", [(0, 0, 0x00), (256, 144, 0xFF), (511, 287, 0x00), (170, 72, 0x00), (259, 11, 0x1E)]),
        ["synthetic/hair_over_campus_512x288/pha/0017.png"] = new(true, 512, 288, 16882491L, "4a03a8c0864f4903", [(0, 0, 0x00), (256, 144, 0xFF), (511, 287, 0x00), (170, 72, 0x00), (246, 16, 0x1A)]),
        ["synthetic/hair_over_campus_512x288/pha/0018.png"] = new(true, 512, 288, 16317538L, "636a834b2dd6dcef", [(0, 0, 0x00), (256, 144, 0xFF), (511, 287, 0x00), (170, 72, 0x00), (233, 21, 0x01)]),
        ["synthetic/hair_over_campus_512x288/pha/0019.png"] = new(true, 512, 288, 15823953L, "a897147dc1555b86", [(0, 0, 0x00), (256, 144, 0xFF), (511, 287, 0x00), (170, 72, 0x00), (223, 25, 0x09)]),
        ["synthetic/hair_over_campus_512x288/pha/0020.png"] = new(true, 512, 288, 15414612L, "47f26ca317cde13e", [(0, 0, 0x00), (256, 144, 0xFF), (511, 287, 0x00), (170, 72, 0x00), (215, 28, 0x07)]),
        ["synthetic/hair_over_campus_512x288/pha/0021.png"] = new(true, 512, 288, 15110455L, "5479e2f6460e5537", [(0, 0, 0x00), (256, 144, 0xFF), (511, 287, 0x00), (170, 72, 0x00), (209, 31, 0x06)]),
        ["synthetic/hair_over_campus_512x288/pha/0022.png"] = new(true, 512, 288, 14919654L, "a28fdf227b1f3367", [(0, 0, 0x00), (256, 144, 0xFF), (511, 287, 0x00), (170, 72, 0x00), (214, 33, 0x02)]),
        ["synthetic/hair_over_campus_512x288/pha/0023.png"] = new(true, 512, 288, 14844127L, "5c863fc6a6e9a8b0", [(0, 0, 0x00), (256, 144, 0xFF), (511, 287, 0x00), (170, 72, 0x00), (205, 34, 0x0E)]),
        ["synthetic/hair_over_campus_512x288/pha/0024.png"] = new(true, 512, 288, 14893536L, "806080c38a1c9096", [(0, 0, 0x00), (256, 144, 0xFF), (511, 287, 0x00), (170, 72, 0x00), (206, 34, 0x01)]),
        ["synthetic/hair_over_campus_512x288/pha/0025.png"] = new(true, 512, 288, 15062385L, "5ffe6fd5c95688f1", [(0, 0, 0x00), (256, 144, 0xFF), (511, 287, 0x00), (170, 72, 0x00), (211, 32, 0x02)]),
        ["synthetic/hair_over_campus_512x288/pha/0026.png"] = new(true, 512, 288, 15345716L, "da24c0cbb70a118a", [(0, 0, 0x00), (256, 144, 0xFF), (511, 287, 0x00), (170, 72, 0x00), (218, 30, 0x06)]),
        ["synthetic/hair_over_campus_512x288/pha/0027.png"] = new(true, 512, 288, 15737278L, "1cf9ef3e7011c99f", [(0, 0, 0x00), (256, 144, 0xFF), (511, 287, 0x00), (170, 72, 0x00), (227, 27, 0x0A)]),
        ["synthetic/hair_over_campus_512x288/pha/0028.png"] = new(true, 512, 288, 16218873L, "4d6f9695d5287cb2", [(0, 0, 0x00), (256, 144, 0xFF), (511, 287, 0x00), (170, 72, 0x00), (238, 23, 0x24)]),
        ["synthetic/hair_over_campus_512x288/pha/0029.png"] = new(true, 512, 288, 16779074L, "63408711e37d74eb", [(0, 0, 0x00), (256, 144, 0xFF), (511, 287, 0x00), (170, 72, 0x00), (250, 18, 0x07)]),
        ["synthetic/hair_over_campus_512x288/com/0000.png"] = new(false, 512, 288, 64693949L, "beee5a7db8ce749b", [(0, 0, 0x66702F), (256, 144, 0xDFA889), (511, 287, 0x7C7965), (170, 72, 0xA7A29D)]),
        ["synthetic/hair_over_campus_512x288/com/0001.png"] = new(false, 512, 288, 64467864L, "5bba67352c92e4d2", [(0, 0, 0x65702D), (256, 144, 0xD9A482), (511, 287, 0x807D6D), (170, 72, 0x97938B)]),
        ["synthetic/hair_over_campus_512x288/com/0002.png"] = new(false, 512, 288, 64297866L, "656ea798829bcd76", [(0, 0, 0x6A7532), (256, 144, 0xE6B37B), (511, 287, 0x858371), (170, 72, 0xAFA9A0)]),
        ["synthetic/hair_over_campus_512x288/com/0003.png"] = new(false, 512, 288, 64196699L, "232c795291f20ffe", [(0, 0, 0x6A7631), (256, 144, 0xEEC599), (511, 287, 0x807E6E), (170, 72, 0xC0B9B1)]),
        ["synthetic/hair_over_campus_512x288/com/0004.png"] = new(false, 512, 288, 64052418L, "ee9d81a008ca8e07", [(0, 0, 0x63702C), (256, 144, 0xFEE3BD), (511, 287, 0x7B7872), (170, 72, 0xCBC5BB)]),
        ["synthetic/hair_over_campus_512x288/com/0005.png"] = new(false, 512, 288, 63965005L, "1b7e9401c671dfaa", [(0, 0, 0x5D6C28), (256, 144, 0xFFF4DF), (511, 287, 0x6F6C6F), (170, 72, 0x645D4D)]),
        ["synthetic/hair_over_campus_512x288/com/0006.png"] = new(false, 512, 288, 63919750L, "2784d1d404d2eef9", [(0, 0, 0x5D6C26), (256, 144, 0xFCF7EB), (511, 287, 0x6A6767), (170, 72, 0x605647)]),
        ["synthetic/hair_over_campus_512x288/com/0007.png"] = new(false, 512, 288, 63946622L, "064f8aee8581fe3f", [(0, 0, 0x63712D), (256, 144, 0xFDEDDA), (511, 287, 0x605F60), (170, 72, 0x695B4C)]),
        ["synthetic/hair_over_campus_512x288/com/0008.png"] = new(false, 512, 288, 64039342L, "3f494098dc548dd8", [(0, 0, 0x63702D), (256, 144, 0xFEF3E1), (511, 287, 0x5C5C5E), (170, 72, 0x614C3B)]),
        ["synthetic/hair_over_campus_512x288/com/0009.png"] = new(false, 512, 288, 64205719L, "42a1b3fbcaf431d9", [(0, 0, 0x606B29), (256, 144, 0xFBF8E7), (511, 287, 0x5B5C60), (170, 72, 0x6A5342)]),
        ["synthetic/hair_over_campus_512x288/com/0010.png"] = new(false, 512, 288, 64452561L, "d4afc53855cb6e76", [(0, 0, 0x5F6828), (256, 144, 0xFAF0DC), (511, 287, 0x656569), (170, 72, 0x674F3D)]),
        ["synthetic/hair_over_campus_512x288/com/0011.png"] = new(false, 512, 288, 64754471L, "eb96d2ac489e838a", [(0, 0, 0x686C35), (256, 144, 0xEDCFAB), (511, 287, 0x797A7A), (170, 72, 0x917B69)]),
        ["synthetic/hair_over_campus_512x288/com/0012.png"] = new(false, 512, 288, 65134213L, "be6b786ff63fb1ed", [(0, 0, 0x727248), (256, 144, 0xD29760), (511, 287, 0x9B9D99), (170, 72, 0x917C66)]),
        ["synthetic/hair_over_campus_512x288/com/0013.png"] = new(false, 512, 288, 65548147L, "1c956e19dd3c5d11", [(0, 0, 0x72714B), (256, 144, 0xEFC696), (511, 287, 0xADADAB), (170, 72, 0xAB9780)]),
        ["synthetic/hair_over_campus_512x288/com/0014.png"] = new(false, 512, 288, 65957052L, "dda158059f429a24", [(0, 0, 0x847E64), (256, 144, 0x883A14), (511, 287, 0xB5B5B0), (170, 72, 0xAE9C83)]),
        ["synthetic/hair_over_campus_512x288/com/0015.png"] = new(false, 512, 288, 66364154L, "e497c699188a499a", [(0, 0, 0x797466), (256, 144, 0xD79F7E), (511, 287, 0xB3B2AB), (170, 72, 0x9E8F75)]),
        ["synthetic/hair_over_campus_512x288/com/0016.png"] = new(false, 512, 288, 66758669L, "5cb94f63b4be79e0", [(0, 0, 0x7F7A73), (256, 144, 0xE1A98B), (511, 287, 0xB2B0A8), (170, 72, 0xA49177)]),
        ["synthetic/hair_over_campus_512x288/com/0017.png"] = new(false, 512, 288, 67128176L, "d51085b8600b30b1", [(0, 0, 0x89867E), (256, 144, 0xEAAE8C), (511, 287, 0xB3B0A9), (170, 72, 0xB2966E)]),
        ["synthetic/hair_over_campus_512x288/com/0018.png"] = new(false, 512, 288, 67480058L, "6abe2b561c48ee56", [(0, 0, 0x757163), (256, 144, 0xE5A381), (511, 287, 0xB7B5AF), (170, 72, 0xC8A35B)]),
        ["synthetic/hair_over_campus_512x288/com/0019.png"] = new(false, 512, 288, 67739953L, "1e31788dc00fe43e", [(0, 0, 0x6A654B), (256, 144, 0xD69A78), (511, 287, 0xB6B5B0), (170, 72, 0xEDC65C)]),
        ["synthetic/hair_over_campus_512x288/com/0020.png"] = new(false, 512, 288, 67888245L, "31127feae77a5c4d", [(0, 0, 0x6A6645), (256, 144, 0xCB9070), (511, 287, 0x92928F), (170, 72, 0xE5B834)]),
        ["synthetic/hair_over_campus_512x288/com/0021.png"] = new(false, 512, 288, 68037151L, "6e21a3b4d661f9c2", [(0, 0, 0x797850), (256, 144, 0xC18666), (511, 287, 0x61625E), (170, 72, 0xA78108)]),
        ["synthetic/hair_over_campus_512x288/com/0022.png"] = new(false, 512, 288, 68084009L, "17061fc43a65642b", [(0, 0, 0x787D45), (256, 144, 0xBD815F), (511, 287, 0x565652), (170, 72, 0x7E5E02)]),
        ["synthetic/hair_over_campus_512x288/com/0023.png"] = new(false, 512, 288, 68124807L, "47d380d5b0748158", [(0, 0, 0x707B36), (256, 144, 0xBE8260), (511, 287, 0x7D7B79), (170, 72, 0x8A6A31)]),
        ["synthetic/hair_over_campus_512x288/com/0024.png"] = new(false, 512, 288, 68139645L, "81f979c253b7aac0", [(0, 0, 0x6E7934), (256, 144, 0xC28664), (511, 287, 0x9A9798), (170, 72, 0x7F6138)]),
        ["synthetic/hair_over_campus_512x288/com/0025.png"] = new(false, 512, 288, 68096051L, "35759e5f163ece59", [(0, 0, 0x707C37), (256, 144, 0xCA8E6C), (511, 287, 0xA9A7A5), (170, 72, 0x8D744E)]),
        ["synthetic/hair_over_campus_512x288/com/0026.png"] = new(false, 512, 288, 68034644L, "af83da9e49a5ff3d", [(0, 0, 0x6F7C35), (256, 144, 0xD79877), (511, 287, 0xADACA9), (170, 72, 0x907952)]),
        ["synthetic/hair_over_campus_512x288/com/0027.png"] = new(false, 512, 288, 67871695L, "d1b0ffa31f25998f", [(0, 0, 0x738038), (256, 144, 0xE3A380), (511, 287, 0xAFAEAB), (170, 72, 0x8A7653)]),
        ["synthetic/hair_over_campus_512x288/com/0028.png"] = new(false, 512, 288, 67630408L, "c636ef92f8c91425", [(0, 0, 0x78843D), (256, 144, 0xEBAB88), (511, 287, 0xB3B2AF), (170, 72, 0x938163)]),
        ["synthetic/hair_over_campus_512x288/com/0029.png"] = new(false, 512, 288, 67333885L, "863a2ec31b0e8554", [(0, 0, 0x77833C), (256, 144, 0xECB798), (511, 287, 0xB2B1AF), (170, 72, 0x7A694F)]),
    };

    public static TheoryData<string> SharedFiles() => new(SharedExpectations.Keys);

    [SkippableTheory]
    [MemberData(nameof(SharedFiles))]
    public void DecodesSharedFileLikePillow(string relative)
    {
        string path = SharedData.Path(["media", .. relative.Split('/')]);
        SharedData.SkipIfMissing(path);
        var e = SharedExpectations[relative];

        byte[] px;
        int w, h, ch;
        if (e.Gray)
        {
            (w, h, px) = PngFile.ReadGray(path);
            ch = 1;
            var rgb = PngFile.ReadRgb(path);
            Assert.Equal(Expand(px, 1, 3), rgb.Pixels);
        }
        else
        {
            var img = PngFile.ReadRgb(path);
            (w, h, px, ch) = (img.Width, img.Height, img.Pixels, 3);
            Assert.Contains("expected a greyscale PNG", Assert.Throws<MediaFormatException>(() => PngFile.ReadGray(path)).Message);
        }
        Assert.Equal((e.Width, e.Height), (w, h));
        foreach (var (x, y, value) in e.Pixels)
        {
            int v = 0;
            for (int c = 0; c < ch; c++)
                v = v << 8 | px[(y * w + x) * ch + c];
            Assert.True(value == v, $"pixel ({x},{y}): expected 0x{value:X}, got 0x{v:X}");
        }
        Assert.Equal(e.Sum, px.Sum(b => (long)b));
        Assert.Equal(e.Sha256Prefix, Convert.ToHexStringLower(SHA256.HashData(px))[..16]);
    }

    [SkippableFact]
    public void RewritingARealFrameIsLossless()
    {
        string path = SharedData.Path("media", "plates", "handheld_outdoor_1080p", "background.png");
        SharedData.SkipIfMissing(path);
        var img = PngFile.ReadRgb(path);
        string copy = Path.Combine(_dir, "copy.png");
        PngFile.WriteRgb(copy, img);
        Assert.Equal(img.Pixels, PngFile.ReadRgb(copy).Pixels);
    }

    // ---------------------------------------------------------------------------------------------------
    // Bad input
    // ---------------------------------------------------------------------------------------------------

    private MediaFormatException ReadFails(byte[] bytes, string contains, string name = "bad.png")
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        var ex = Assert.Throws<MediaFormatException>(() => PngFile.ReadRgb(path));
        Assert.Equal(path, ex.File);
        Assert.StartsWith(path + ": ", ex.Message);
        Assert.Contains(contains, ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
        return ex;
    }

    [Fact]
    public void TextFileNamedPngIsNotAPng() =>
        ReadFails(Encoding.UTF8.GetBytes("this is not an image\n"), "not a PNG file (bad signature)", "notes.png");

    [Fact]
    public void EmptyFileIsSaidToBeEmpty() => ReadFails([], "is empty (0 bytes)");

    [Fact]
    public void TruncatedFilesAreReportedAsTruncated()
    {
        byte[] good = File.ReadAllBytes(Fixture("rgb8_adam7.png"));
        foreach (int cut in new[] { 4, 8, 20, 40, good.Length / 2, good.Length - 1, good.Length - 12 })
            ReadFails(good[..cut], "truncated file");
    }

    [Fact]
    public void CorruptedCrcIsReported()
    {
        byte[] bytes = File.ReadAllBytes(Fixture("rgb8.png"));
        var idat = Chunks(bytes).First(c => c.Type == "IDAT");
        bytes[idat.Offset + 8 + idat.Data.Length / 2] ^= 0x10;
        ReadFails(bytes, "CRC mismatch in IDAT chunk");
    }

    [Fact]
    public void ZeroSizeIsReported() =>
        ReadFails(WithIhdr("rgb8.png", h => BinaryPrimitives.WriteInt32BigEndian(h.AsSpan(4), 0)), "zero image size");

    [Fact]
    public void UnsupportedDepthAndColourCombinationIsReported()
    {
        ReadFails(WithIhdr("rgb8.png", h => h[8] = 4), "unsupported bit depth 4 with colour type 2");
        ReadFails(WithIhdr("rgb8.png", h => h[9] = 5), "unsupported bit depth 8 with colour type 5");
        ReadFails(WithIhdr("palette8_trns.png", h => h[8] = 16), "unsupported bit depth 16 with colour type 3");
    }

    [Fact]
    public void TooLittleImageDataIsReported() =>
        ReadFails(WithIhdr("rgb8.png", h => BinaryPrimitives.WriteInt32BigEndian(h.AsSpan(4), 50)), "image data too short");

    [Fact]
    public void MissingChunksAreReported()
    {
        var chunks = Chunks(File.ReadAllBytes(Fixture("rgb8.png")));
        ReadFails(Build(chunks.Where(c => c.Type != "IHDR")), "missing IHDR chunk");
        ReadFails(Build(chunks.Where(c => c.Type != "IDAT")), "missing IDAT chunk");
        ReadFails(Build(chunks.Where(c => c.Type != "IEND")), "truncated file");
        var pal = Chunks(File.ReadAllBytes(Fixture("palette1.png")));
        ReadFails(Build(pal.Where(c => c.Type != "PLTE")), "missing PLTE chunk");
    }

    [Fact]
    public void CorruptCompressedDataIsReported()
    {
        var chunks = Chunks(File.ReadAllBytes(Fixture("rgb8.png")));
        var broken = chunks.Select(c => c.Type == "IDAT" ? c with { Data = [0x78, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF] } : c);
        ReadFails(Build(broken), "corrupt compressed image data");
    }

    [Fact]
    public void InvalidFilterTypeIsReported()
    {
        var chunks = Chunks(File.ReadAllBytes(Fixture("rgb8.png")));
        // 3x5 RGB: 5 rows of 1 + 9 bytes; give the third row filter type 7.
        var raw = new byte[5 * 10];
        raw[20] = 7;
        var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, CompressionLevel.Fastest, leaveOpen: true))
            z.Write(raw);
        var broken = chunks.Select(c => c.Type == "IDAT" ? c with { Data = ms.ToArray() } : c);
        ReadFails(Build(broken), "invalid filter type 7 on row 2");
    }

    [Fact]
    public void MissingFileIsAOneLineErrorNamingIt() =>
        Assert.Equal($"{Path.Combine(_dir, "nope.png")}: file not found",
            Assert.Throws<MediaFormatException>(() => PngFile.ReadRgb(Path.Combine(_dir, "nope.png"))).Message);

    // ---------------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------------

    private sealed record Chunk(string Type, byte[] Data, int Offset);

    private static List<Chunk> Chunks(byte[] png)
    {
        var list = new List<Chunk>();
        for (int pos = 8; pos + 12 <= png.Length;)
        {
            int len = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos));
            list.Add(new Chunk(Encoding.ASCII.GetString(png, pos + 4, 4), png.AsSpan(pos + 8, len).ToArray(), pos));
            pos += 12 + len;
        }
        return list;
    }

    private static byte[] Build(IEnumerable<Chunk> chunks)
    {
        var ms = new MemoryStream();
        ms.Write([137, 80, 78, 71, 13, 10, 26, 10]);
        Span<byte> word = stackalloc byte[4];
        foreach (var c in chunks)
        {
            BinaryPrimitives.WriteInt32BigEndian(word, c.Data.Length);
            ms.Write(word);
            byte[] typeAndData = [.. Encoding.ASCII.GetBytes(c.Type), .. c.Data];
            ms.Write(typeAndData);
            BinaryPrimitives.WriteUInt32BigEndian(word, PngCrc.Compute(typeAndData));
            ms.Write(word);
        }
        return ms.ToArray();
    }

    private static byte[] WithIhdr(string fixture, Action<byte[]> edit) =>
        Build(Chunks(File.ReadAllBytes(Fixture(fixture))).Select(c =>
        {
            if (c.Type != "IHDR")
                return c;
            byte[] d = (byte[])c.Data.Clone();
            edit(d);
            return c with { Data = d };
        }));

    private sealed class NonSeekableStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 7));
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
