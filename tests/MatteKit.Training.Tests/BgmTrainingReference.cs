using System.Text.Json;
using MatteKit.Tests.TestSupport;
using static TorchSharp.torch;

namespace MatteKit.Tests.Training;

/// <summary>
/// Reads <c>shared/reference/bgmv2_training</c> (see its README): the manifest, raw float32 files, and the batches the
/// official training steps ran on (frames of the synthetic clip over a street background, composited as the official
/// scripts do).
/// </summary>
internal static class BgmTrainingReference
{
    public static string Folder => SharedData.Path("reference", "bgmv2_training");

    public static JsonDocument ManifestOrSkip()
    {
        var path = Path.Combine(Folder, "manifest.json");
        SharedData.SkipIfMissing(path);
        return JsonDocument.Parse(File.ReadAllText(path));
    }

    public static float[] Floats(JsonElement fileEntry)
    {
        var bytes = File.ReadAllBytes(Path.Combine(Folder, fileEntry.GetProperty("file").GetString()!));
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }

    public static Tensor Tensor(JsonElement fileEntry)
        => tensor(Floats(fileEntry)).reshape(fileEntry.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray());

    /// <summary>
    /// Frames 0 and 1 of the synthetic clip cropped at <c>(x0, y0)</c> to <c>width x height</c> as truth, over the
    /// street background resized (Pillow bilinear) to twice the crop and cropped at <c>(16k, 8k)</c> for sample k;
    /// <c>src = fgr pha + bgr (1 - pha)</c>. All <c>[2, C, height, width]</c>.
    /// </summary>
    public static (Tensor Src, Tensor Bgr, Tensor Pha, Tensor Fgr) Batch(int x0, int y0, int width, int height)
    {
        var pha = TrainingReference.Frames("pha", 2, x0, y0, width, height).squeeze(0);
        var fgr = TrainingReference.Frames("fgr", 2, x0, y0, width, height).squeeze(0);
        var path = SharedData.Path("media", "backgrounds", "images", "opencv_leuven_street.jpg");
        SharedData.SkipIfMissing(path);
        // Decoded as libjpeg does (Pillow's decoder): ffmpeg's decoder rounds differently.
        var (w0, h0, pixels) = LibjpegDecoder.Decode(File.ReadAllBytes(path));
        var image = new MatteKit.Media.RgbImage(w0, h0, pixels);
        int bw = width * 2, bh = height * 2;
        var resized = PilBilinearResize.Resize(image.Pixels, image.Width, image.Height, bw, bh);
        var samples = new List<Tensor>();
        for (int k = 0; k < 2; k++)
        {
            var planar = new float[3 * width * height];
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < height; y++)
                    for (int x = 0; x < width; x++)
                        planar[(c * height + y) * width + x] = resized[((k * 8 + y) * bw + k * 16 + x) * 3 + c] / 255f;
            samples.Add(tensor(planar).reshape(3, height, width));
        }
        var bgr = stack(samples, 0);
        return (fgr * pha + bgr * (1 - pha), bgr, pha, fgr);
    }
}
