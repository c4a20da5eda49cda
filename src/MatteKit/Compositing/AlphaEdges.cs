using System.Numerics;

namespace MatteKit.Compositing;

/// <summary>
/// The edge controls on a frame's 8-bit alpha, at full resolution, in the order they run (<see cref="Apply(Span{byte}, int, int)"/>):
/// levels (haze below LOW gone, above HIGH solid), choke (the matte shrunk, or grown, by grey-level erosion or dilation
/// with a disc: a soft edge moves and stays as soft), feather (a Gaussian blur of the edge). Outside the frame the edge
/// row or column is taken as continuing, so a person cut by the frame's side is not eaten from it.
/// </summary>
internal sealed class AlphaEdges
{
    /// <summary>The largest choke (either way) and feather sigma, in pixels: beyond, a frame's matte is mostly gone or blurred flat.</summary>
    public const float MaxPixels = 64;

    private readonly float _choke, _feather, _low, _high;
    private byte[] _scratch = [], _line = [];
    private float[] _scratchDeep = [], _lineDeep = [];
    private float[] _sums = [], _column = [];
    private readonly byte[] _levels = new byte[256];
    private readonly float[] _kernel;

    /// <param name="choke">Pixels to shrink the matte by; negative grows it.</param>
    /// <param name="feather">The Gaussian's sigma, in pixels; 0 = none.</param>
    /// <param name="low">Alpha (0 to 1) at or below which it becomes 0.</param>
    /// <param name="high">Alpha at or above which it becomes 1.</param>
    public AlphaEdges(float choke, float feather, float low, float high)
    {
        (_choke, _feather, _low, _high) = (choke, feather, low, high);
        for (int v = 0; v < 256; v++) _levels[v] = Level(v, low, high);
        _kernel = feather > 0 ? Gaussian(feather) : [];
    }

    /// <summary>Whether these settings change anything.</summary>
    public static bool Changes(float choke, float feather, float low, float high) => choke != 0 || feather > 0 || low > 0 || high < 1;

    /// <summary>Levels, then choke, then feather, in place.</summary>
    public void Apply(Span<byte> alpha, int width, int height)
    {
        if (alpha.Length != (long)width * height) throw new ArgumentException($"{alpha.Length} alpha bytes for {width}x{height}", nameof(alpha));
        if (_low > 0 || _high < 1)
            for (int i = 0; i < alpha.Length; i++) alpha[i] = _levels[alpha[i]];
        if (_choke != 0) Choke(alpha, width, height, (byte)255, ref _scratch, ref _line);
        if (_feather > 0) Feather(alpha, width, height);
    }

    /// <summary>As <see cref="Apply(Span{byte}, int, int)"/> on an unrounded alpha (0..1) of a deep output: the same steps, nothing rounded.</summary>
    public void Apply(Span<float> alpha, int width, int height)
    {
        if (alpha.Length != (long)width * height) throw new ArgumentException($"{alpha.Length} alpha values for {width}x{height}", nameof(alpha));
        if (_low > 0 || _high < 1)
            for (int i = 0; i < alpha.Length; i++) alpha[i] = Math.Clamp((alpha[i] - _low) / (_high - _low), 0f, 1f);
        if (_choke != 0) Choke(alpha, width, height, 1f, ref _scratchDeep, ref _lineDeep);
        if (_feather > 0) Feather(alpha, width, height);
    }

    /// <summary>One level: (v / 255 - low) / (high - low), clipped to [0, 1], rounded to 255ths.</summary>
    public static byte Level(int value, float low, float high)
    {
        double t = (value / 255.0 - low) / (high - low);
        return (byte)Math.Round(Math.Clamp(t, 0, 1) * 255, MidpointRounding.AwayFromZero);
    }

    // Erosion by a disc of radius |choke| (dilation for a negative choke, as erosion of the inverse): for each row of
    // the disc, a sliding minimum along the frame's rows over that row's half-width, taken from the row that far away.
    // Bytes and floats alike (full = 255 or 1): minima do not round.
    private void Choke<T>(Span<T> alpha, int width, int height, T full, ref T[] scratch, ref T[] line) where T : INumber<T>
    {
        bool grow = _choke < 0;
        float radius = Math.Abs(_choke);
        int reach = (int)MathF.Floor(radius);
        int pixels = width * height;
        if (scratch.Length < pixels) scratch = new T[pixels];
        if (line.Length < width) line = new T[width];
        var source = scratch.AsSpan(0, pixels);
        alpha.CopyTo(source);
        if (grow) Invert(source, full);
        var result = alpha;
        result.Fill(full);
        for (int dy = -reach; dy <= reach; dy++)
        {
            int half = (int)MathF.Floor(MathF.Sqrt(radius * radius - dy * dy) + 1e-4f);
            for (int y = 0; y < height; y++)
            {
                var from = source.Slice(Math.Clamp(y + dy, 0, height - 1) * width, width);
                SlidingMin<T>(from, half, line.AsSpan(0, width));
                var row = result.Slice(y * width, width);
                for (int x = 0; x < width; x++)
                    if (line[x] < row[x]) row[x] = line[x];
            }
        }
        if (grow) Invert(result, full);
    }

    private static void Invert<T>(Span<T> values, T full) where T : INumber<T>
    {
        for (int i = 0; i < values.Length; i++) values[i] = full - values[i];
    }

    /// <summary>The minimum of <paramref name="row"/> over [x - half, x + half], the ends continued (a monotonic queue: linear time whatever the width).</summary>
    internal static void SlidingMin<T>(ReadOnlySpan<T> row, int half, Span<T> into) where T : INumber<T>
    {
        int n = row.Length;
        if (half == 0)
        {
            row.CopyTo(into);
            return;
        }
        Span<int> queue = n + 2 * half <= 4096 ? stackalloc int[n + 2 * half] : new int[n + 2 * half];
        int head = 0, tail = 0;
        // Positions -half .. n - 1 + half, each clamped to the row: the window of x is [x - half, x + half].
        for (int p = -half; p < n + half; p++)
        {
            T v = row[Math.Clamp(p, 0, n - 1)];
            while (tail > head && row[Math.Clamp(queue[tail - 1], 0, n - 1)] >= v) tail--;
            queue[tail++] = p;
            int x = p - half;
            if (x < 0) continue;
            while (queue[head] < x - half) head++;
            into[x] = row[Math.Clamp(queue[head], 0, n - 1)];
        }
    }

    // A separable Gaussian: along the rows into floats, then along the columns; bytes are rounded once at the end.
    private void Feather<T>(Span<T> alpha, int width, int height) where T : INumber<T>
    {
        int pixels = width * height, r = _kernel.Length / 2;
        if (_sums.Length < pixels) _sums = new float[pixels];
        var sums = _sums.AsSpan(0, pixels);
        for (int y = 0; y < height; y++)
        {
            var row = alpha.Slice(y * width, width);
            for (int x = 0; x < width; x++)
            {
                float s = 0;
                for (int k = -r; k <= r; k++) s += _kernel[k + r] * float.CreateTruncating(row[Math.Clamp(x + k, 0, width - 1)]);
                sums[y * width + x] = s;
            }
        }
        if (_column.Length < width) _column = new float[width];
        var column = _column.AsSpan(0, width);
        for (int y = 0; y < height; y++)
        {
            column.Clear();
            for (int k = -r; k <= r; k++)
            {
                float weight = _kernel[k + r];
                var from = sums.Slice(Math.Clamp(y + k, 0, height - 1) * width, width);
                for (int x = 0; x < width; x++) column[x] += weight * from[x];
            }
            var row = alpha.Slice(y * width, width);
            for (int x = 0; x < width; x++)
                row[x] = typeof(T) == typeof(byte) ? T.CreateTruncating(Math.Clamp(MathF.Round(column[x]), 0, 255)) : T.CreateTruncating(Math.Clamp(column[x], 0f, 1f));
        }
    }

    /// <summary>A normalised Gaussian of this sigma over three sigmas each side.</summary>
    private static float[] Gaussian(float sigma)
    {
        int r = Math.Max(1, (int)MathF.Ceiling(3 * sigma));
        var kernel = new float[2 * r + 1];
        double sum = 0;
        for (int k = -r; k <= r; k++) sum += kernel[k + r] = (float)Math.Exp(-k * k / (2.0 * sigma * sigma));
        for (int k = 0; k < kernel.Length; k++) kernel[k] = (float)(kernel[k] / sum);
        return kernel;
    }
}
