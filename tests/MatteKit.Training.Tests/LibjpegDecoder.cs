namespace MatteKit.Tests.Training;

/// <summary>
/// A baseline (sequential, Huffman) JPEG decoder that gives the same bytes as libjpeg(-turbo) with its defaults, the
/// decoder Pillow uses and so the official training scripts: the accurate integer IDCT ("islow": 13-bit constants,
/// 2 extra bits between passes), "fancy" triangle-filter upsampling of 2x2-subsampled chroma (edge rows and columns
/// repeated) and fixed-point YCbCr to RGB. ffmpeg's decoder rounds differently (a third of the bytes of the reference
/// background differ, by up to 12), which the training reference's chaotic synthetic network turns into different
/// outputs. Test-only: training reads JPEG through ffmpeg.
/// </summary>
internal static class LibjpegDecoder
{
    private static readonly int[] ZigZag =
    {
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21,
        28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54,
        47, 55, 62, 63,
    };

    private sealed class Component
    {
        public int Id, H, V, Quant, DcTable, AcTable, Pred, BlocksWide, BlocksHigh;
        public byte[] Plane = Array.Empty<byte>();
    }

    private sealed class Huffman
    {
        public readonly Dictionary<(int Length, int Code), byte> Codes = new();
    }

    public static (int Width, int Height, byte[] Rgb) Decode(byte[] data)
    {
        var quant = new int[4][];
        var dc = new Huffman[4];
        var ac = new Huffman[4];
        var components = new List<Component>();
        int width = 0, height = 0, restartInterval = 0, hMax = 1, vMax = 1, pos = 2;
        if (data[0] != 0xFF || data[1] != 0xD8) throw new InvalidDataException("not a JPEG");
        while (true)
        {
            while (data[pos] != 0xFF) pos++;
            while (data[pos] == 0xFF) pos++;
            int marker = data[pos++];
            if (marker == 0xD9) throw new InvalidDataException("no scan");
            int length = data[pos] << 8 | data[pos + 1];
            int seg = pos + 2, end = pos + length;
            switch (marker)
            {
                case 0xDB:
                    while (seg < end)
                    {
                        int precision = data[seg] >> 4, id = data[seg] & 15;
                        seg++;
                        quant[id] = new int[64];
                        for (int k = 0; k < 64; k++)
                        {
                            quant[id][ZigZag[k]] = precision == 0 ? data[seg] : data[seg] << 8 | data[seg + 1];
                            seg += precision == 0 ? 1 : 2;
                        }
                    }
                    break;
                case 0xC4:
                    while (seg < end)
                    {
                        int cls = data[seg] >> 4, id = data[seg] & 15;
                        var table = new Huffman();
                        int valuePos = seg + 17, code = 0;
                        for (int len = 1; len <= 16; len++)
                        {
                            for (int n = 0; n < data[seg + len]; n++) table.Codes[(len, code++)] = data[valuePos++];
                            code <<= 1;
                        }
                        (cls == 0 ? dc : ac)[id] = table;
                        seg = valuePos;
                    }
                    break;
                case 0xC0:
                case 0xC1:
                    height = data[seg + 1] << 8 | data[seg + 2];
                    width = data[seg + 3] << 8 | data[seg + 4];
                    for (int c = 0; c < data[seg + 5]; c++)
                    {
                        int o = seg + 6 + 3 * c;
                        components.Add(new Component { Id = data[o], H = data[o + 1] >> 4, V = data[o + 1] & 15, Quant = data[o + 2] });
                    }
                    break;
                case 0xC2: case 0xC3: case 0xC5: case 0xC6: case 0xC7: case 0xC9: case 0xCA: case 0xCB: case 0xCD: case 0xCE: case 0xCF:
                    throw new NotSupportedException("only baseline Huffman JPEG is supported");
                case 0xDD:
                    restartInterval = data[seg] << 8 | data[seg + 1];
                    break;
                case 0xDA:
                    for (int c = 0; c < data[seg]; c++)
                    {
                        var comp = components.Single(x => x.Id == data[seg + 1 + 2 * c]);
                        comp.DcTable = data[seg + 2 + 2 * c] >> 4;
                        comp.AcTable = data[seg + 2 + 2 * c] & 15;
                    }
                    hMax = components.Max(c => c.H);
                    vMax = components.Max(c => c.V);
                    DecodeScan(data, end, components, width, height, hMax, vMax, quant, dc, ac, restartInterval);
                    return (width, height, ToRgb(components, width, height, hMax, vMax));
            }
            pos = end;
        }
    }

    private static void DecodeScan(byte[] data, int pos, List<Component> components, int width, int height, int hMax, int vMax,
        int[][] quant, Huffman[] dcTables, Huffman[] acTables, int restartInterval)
    {
        int mcusWide = (width + 8 * hMax - 1) / (8 * hMax), mcusHigh = (height + 8 * vMax - 1) / (8 * vMax);
        foreach (var c in components)
        {
            c.BlocksWide = mcusWide * c.H;
            c.BlocksHigh = mcusHigh * c.V;
            c.Plane = new byte[c.BlocksWide * 8 * c.BlocksHigh * 8];
        }
        int bitBuffer = 0, bitCount = 0;
        int Bit()
        {
            if (bitCount == 0)
            {
                int b = data[pos++];
                if (b == 0xFF) pos++; // stuffed zero (a marker here would be a restart, handled between MCUs)
                bitBuffer = b;
                bitCount = 8;
            }
            bitCount--;
            return bitBuffer >> bitCount & 1;
        }
        int Receive(int n)
        {
            int v = 0;
            for (int i = 0; i < n; i++) v = v << 1 | Bit();
            return v;
        }
        int Extend(int v, int n) => n == 0 ? 0 : v < 1 << (n - 1) ? v - (1 << n) + 1 : v;
        byte Symbol(Huffman h)
        {
            int code = 0;
            for (int len = 1; len <= 16; len++)
            {
                code = code << 1 | Bit();
                if (h.Codes.TryGetValue((len, code), out var s)) return s;
            }
            throw new InvalidDataException("bad Huffman code");
        }

        var coefficients = new int[64];
        int mcu = 0;
        for (int my = 0; my < mcusHigh; my++)
            for (int mx = 0; mx < mcusWide; mx++, mcu++)
            {
                if (restartInterval > 0 && mcu > 0 && mcu % restartInterval == 0)
                {
                    bitCount = 0;
                    while (!(data[pos] == 0xFF && data[pos + 1] >= 0xD0 && data[pos + 1] <= 0xD7)) pos++;
                    pos += 2;
                    foreach (var c in components) c.Pred = 0;
                }
                foreach (var c in components)
                    for (int by = 0; by < c.V; by++)
                        for (int bx = 0; bx < c.H; bx++)
                        {
                            Array.Clear(coefficients);
                            int t = Symbol(dcTables[c.DcTable]);
                            c.Pred += Extend(Receive(t), t);
                            coefficients[0] = c.Pred;
                            for (int k = 1; k < 64;)
                            {
                                int rs = Symbol(acTables[c.AcTable]), run = rs >> 4, size = rs & 15;
                                if (size == 0)
                                {
                                    if (run != 15) break;
                                    k += 16;
                                    continue;
                                }
                                k += run;
                                coefficients[ZigZag[k++]] = Extend(Receive(size), size);
                            }
                            int stride = c.BlocksWide * 8;
                            IdctIslow(coefficients, quant[c.Quant], c.Plane, ((my * c.V + by) * 8) * stride + (mx * c.H + bx) * 8, stride);
                        }
            }
    }

    // libjpeg's jidctint.c constants: FIX(x) = round(x * 2^13).
    private const int ConstBits = 13, Pass1Bits = 2;
    private const long F0298 = 2446, F0390 = 3196, F0541 = 4433, F0765 = 6270, F0899 = 7373, F1175 = 9633, F1501 = 12299,
        F1847 = 15137, F1961 = 16069, F2053 = 16819, F2562 = 20995, F3072 = 25172;

    private static long Descale(long x, int n) => (x + (1L << (n - 1))) >> n;

    /// <summary>The separable 8-point IDCT as libjpeg's islow: columns to a workspace scaled by 2^2, then rows.</summary>
    private static void IdctIslow(int[] coef, int[] q, byte[] output, int offset, int stride)
    {
        var ws = new long[64];
        Span<long> x = stackalloc long[8];
        for (int col = 0; col < 8; col++)
        {
            for (int i = 0; i < 8; i++) x[i] = (long)coef[i * 8 + col] * q[i * 8 + col];
            Butterfly(x, out var o, ConstBits - Pass1Bits);
            for (int i = 0; i < 8; i++) ws[i * 8 + col] = o[i];
        }
        for (int row = 0; row < 8; row++)
        {
            for (int i = 0; i < 8; i++) x[i] = ws[row * 8 + i];
            Butterfly(x, out var o, ConstBits + Pass1Bits + 3);
            for (int i = 0; i < 8; i++) output[offset + row * stride + i] = (byte)Math.Clamp(o[i] + 128, 0, 255);
        }
    }

    private static void Butterfly(ReadOnlySpan<long> v, out long[] result, int shift)
    {
        long z2 = v[2], z3 = v[6];
        long z1 = (z2 + z3) * F0541;
        long tmp2 = z1 + z3 * -F1847, tmp3 = z1 + z2 * F0765;
        long tmp0 = (v[0] + v[4]) << ConstBits, tmp1 = (v[0] - v[4]) << ConstBits;
        long tmp10 = tmp0 + tmp3, tmp13 = tmp0 - tmp3, tmp11 = tmp1 + tmp2, tmp12 = tmp1 - tmp2;
        long o0 = v[7], o1 = v[5], o2 = v[3], o3 = v[1];
        z1 = o0 + o3; z2 = o1 + o2; z3 = o0 + o2; long z4 = o1 + o3;
        long z5 = (z3 + z4) * F1175;
        o0 *= F0298; o1 *= F2053; o2 *= F3072; o3 *= F1501;
        z1 *= -F0899; z2 *= -F2562; z3 *= -F1961; z4 *= -F0390;
        z3 += z5; z4 += z5;
        o0 += z1 + z3; o1 += z2 + z4; o2 += z2 + z3; o3 += z1 + z4;
        result = new[]
        {
            Descale(tmp10 + o3, shift), Descale(tmp11 + o2, shift), Descale(tmp12 + o1, shift), Descale(tmp13 + o0, shift),
            Descale(tmp13 - o0, shift), Descale(tmp12 - o1, shift), Descale(tmp11 - o2, shift), Descale(tmp10 - o3, shift),
        };
    }

    private static byte[] ToRgb(List<Component> components, int width, int height, int hMax, int vMax)
    {
        if (components.Count != 3) throw new NotSupportedException("only 3-component (YCbCr) JPEG is supported");
        var planes = components.Select(c => Upsample(c, width, height, hMax, vMax)).ToArray();
        var rgb = new byte[width * height * 3];
        const int scaleBits = 16;
        const long half = 1L << (scaleBits - 1);
        static long Fix(double v) => (long)(v * (1L << scaleBits) + 0.5);
        for (int i = 0; i < width * height; i++)
        {
            int y = planes[0][i], cb = planes[1][i] - 128, cr = planes[2][i] - 128;
            long r = y + ((Fix(1.40200) * cr + half) >> scaleBits);
            long g = y + ((-Fix(0.34414) * cb + half + -Fix(0.71414) * cr) >> scaleBits);
            long b = y + ((Fix(1.77200) * cb + half) >> scaleBits);
            rgb[i * 3] = (byte)Math.Clamp(r, 0, 255);
            rgb[i * 3 + 1] = (byte)Math.Clamp(g, 0, 255);
            rgb[i * 3 + 2] = (byte)Math.Clamp(b, 0, 255);
        }
        return rgb;
    }

    /// <summary>A component at full size: as is at full sampling, libjpeg's h2v2 "fancy" upsampling at half.</summary>
    private static byte[] Upsample(Component c, int width, int height, int hMax, int vMax)
    {
        int stride = c.BlocksWide * 8;
        var full = new byte[width * height];
        if (c.H == hMax && c.V == vMax)
        {
            for (int y = 0; y < height; y++) Array.Copy(c.Plane, y * stride, full, y * width, width);
            return full;
        }
        if (c.H * 2 != hMax || c.V * 2 != vMax) throw new NotSupportedException("only 4:4:4 and 4:2:0 JPEG are supported");
        // The component's own size (ceil of half), whose last row and column are repeated beyond the edge.
        int cw = (width + 1) / 2, ch = (height + 1) / 2;
        var row = new int[cw];
        for (int y = 0; y < height; y++)
        {
            int near = y / 2, far = Math.Clamp(y % 2 == 0 ? near - 1 : near + 1, 0, ch - 1);
            for (int i = 0; i < cw; i++) row[i] = c.Plane[near * stride + i] * 3 + c.Plane[far * stride + i];
            for (int x = 0; x < width; x++)
            {
                int i = x / 2, value;
                if (x % 2 == 0) value = i == 0 ? (row[0] * 4 + 8) >> 4 : (row[i] * 3 + row[i - 1] + 8) >> 4;
                else value = i == cw - 1 ? (row[i] * 4 + 7) >> 4 : (row[i] * 3 + row[i + 1] + 7) >> 4;
                full[y * width + x] = (byte)value;
            }
        }
        return full;
    }
}
