using MatteKit.Tests.TestSupport;
using MatteKit.Weights;
using Xunit;

namespace MatteKit.Tests.Weights;

/// <summary>The TFLite reader on the shipped selfie models and on damaged files.</summary>
public sealed class TfliteModelTests
{
    private static readonly string General = Path.Combine(SharedData.RepoRoot, "models", "mediapipe_selfie", "selfie_segmentation.tflite");

    [Fact]
    public void ReadsTheGeneralModelsStructure()
    {
        var model = TfliteModel.Read(General);
        Assert.Equal(246, model.Operators.Count);
        var input = model.Tensors[model.Inputs.Single()];
        var output = model.Tensors[model.Outputs.Single()];
        Assert.Equal(("input_1", TfliteType.Float32), (input.Name, input.Type));
        Assert.Equal([1, 256, 256, 3], input.Shape);
        Assert.Equal("activation_10", output.Name);
        Assert.Equal([1, 256, 256, 1], output.Shape);
        var counts = model.Operators.GroupBy(o => o.Code).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(110, counts[TfliteOp.Dequantize]);
        Assert.Equal(43, counts[TfliteOp.Conv2D]);
        Assert.Equal(11, counts[TfliteOp.DepthwiseConv2D]);
        Assert.Equal(14, counts[TfliteOp.Add]); // ADD's code 0 is stored only as the older int8 field's default
        Assert.Equal(3, counts[TfliteOp.ResizeBilinear]);
        Assert.Equal("Convolution2DTransposeBias", model.Operators.Single(o => o.Code == TfliteOp.Custom).CustomCode);
        // float16 weights, widened exactly: the first conv kernel [16, 3, 3, 3].
        var kernel = model.Tensors[model.Operators.First(o => o.Code == TfliteOp.Dequantize).Inputs[0]];
        Assert.Equal(TfliteType.Float16, kernel.Type);
        Assert.Equal(kernel.ElementCount, model.Floats(kernel).Length);
    }

    [Fact]
    public void ForeignAndDamagedFilesAreOneLineErrorsNamingTheFile()
    {
        var bytes = File.ReadAllBytes(General);
        var foreign = Assert.Throws<WeightsFormatException>(() => TfliteModel.Read(new byte[100], "zeros.tflite"));
        Assert.Equal("zeros.tflite: not a TensorFlow Lite model (no 'TFL3' identifier at byte 4)", foreign.Message);

        var truncated = Assert.Throws<WeightsFormatException>(() => TfliteModel.Read(bytes[..4000], "cut.tflite"));
        Assert.StartsWith("cut.tflite: damaged TFLite file: ", truncated.Message);
        Assert.DoesNotContain('\n', truncated.Message);

        var badRoot = (byte[])bytes.Clone();
        BitConverter.TryWriteBytes(badRoot.AsSpan(0, 4), 0x7FFF_FFF0);
        Assert.StartsWith("root.tflite: damaged TFLite file: ", Assert.Throws<WeightsFormatException>(() => TfliteModel.Read(badRoot, "root.tflite")).Message);

        // Damage anywhere must never read out of bounds: every single-byte change either reads or is a format error.
        var random = new Random(7);
        for (int trial = 0; trial < 200; trial++)
        {
            var damaged = (byte[])bytes.Clone();
            int at = random.Next(8, 4096);
            damaged[at] ^= (byte)(1 << random.Next(8));
            try { TfliteModel.Read(damaged, "flipped.tflite"); }
            catch (WeightsFormatException e) { Assert.StartsWith("flipped.tflite: ", e.Message); }
        }

        using var dir = new TempFolder();
        var missing = Assert.Throws<WeightsFormatException>(() => TfliteModel.Read(dir.File("none.tflite")));
        Assert.EndsWith("none.tflite: file not found", missing.Message);
    }
}
