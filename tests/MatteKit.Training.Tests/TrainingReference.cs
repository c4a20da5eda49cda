using System.Text.Json;
using MatteKit.Media;
using MatteKit.Tests.TestSupport;
using static TorchSharp.torch;

namespace MatteKit.Tests.Training;

/// <summary>
/// Reads <c>shared/reference/rvm_training</c> (see its README): the manifest, raw float32 files, the closed-formula
/// loss inputs and the frames of the synthetic clip the training steps were run on.
/// </summary>
internal static class TrainingReference
{
    public static string Folder => SharedData.Path("reference", "rvm_training");

    public static JsonDocument ManifestOrSkip()
    {
        var path = System.IO.Path.Combine(Folder, "manifest.json");
        SharedData.SkipIfMissing(path);
        return JsonDocument.Parse(File.ReadAllText(path));
    }

    public static float[] Floats(JsonElement fileEntry)
    {
        var bytes = File.ReadAllBytes(System.IO.Path.Combine(Folder, fileEntry.GetProperty("file").GetString()!));
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }

    /// <summary>Element i (row-major) is <c>a + b sin(c i + 0.5)</c> in double, rounded to float32.</summary>
    public static Tensor Formula(long[] shape, double a, double b, double c)
    {
        long n = shape.Aggregate(1L, (x, y) => x * y);
        var values = new float[n];
        for (long i = 0; i < n; i++) values[i] = (float)(a + b * Math.Sin(c * i + 0.5));
        return tensor(values).reshape(shape);
    }

    /// <summary>Frames <paramref name="count"/> of one layer (com, fgr, pha) of the synthetic clip, cropped, as <c>[1, T, C, h, w]</c>.</summary>
    public static Tensor Frames(string layer, int count, int x0, int y0, int width, int height)
    {
        var clip = SharedData.Path("media", "synthetic", "hair_over_campus_512x288", layer);
        SharedData.SkipIfMissing(clip);
        var frames = new List<Tensor>();
        for (int i = 0; i < count; i++)
        {
            var path = System.IO.Path.Combine(clip, $"{i:D4}.png");
            bool gray = layer == "pha";
            byte[] pixels; int w, channels = gray ? 1 : 3;
            if (gray) { var g = PngFile.ReadGray(path); pixels = g.Pixels; w = g.Width; }
            else { var rgb = PngFile.ReadRgb(path); pixels = rgb.Pixels; w = rgb.Width; }
            var planar = new float[channels * width * height];
            for (int c = 0; c < channels; c++)
                for (int y = 0; y < height; y++)
                    for (int x = 0; x < width; x++)
                        planar[(c * height + y) * width + x] = pixels[((y0 + y) * w + x0 + x) * channels + c] / 255f;
            frames.Add(tensor(planar).reshape(channels, height, width));
        }
        return stack(frames, 0).unsqueeze(0);
    }

    /// <summary>Relative difference |a - b| / |b| (absolute when b is 0).</summary>
    public static double Relative(double actual, double expected) =>
        expected == 0 ? Math.Abs(actual) : Math.Abs(actual - expected) / Math.Abs(expected);
}
