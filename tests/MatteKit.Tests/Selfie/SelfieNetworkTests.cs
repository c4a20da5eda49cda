using MatteKit.Selfie;
using MatteKit.Tests.TestSupport;
using Microsoft.ML.OnnxRuntime;
using Xunit;
using Xunit.Abstractions;

namespace MatteKit.Tests.Selfie;

/// <summary>
/// MatteKit's ONNX translation of the embedded MediaPipe selfie models against other runtimes' outputs on the same
/// input (Fixtures/selfie, made by tools/selfie-reference): every operator the models use is on this path.
/// </summary>
public sealed class SelfieNetworkTests
{
    private readonly ITestOutputHelper _log;

    public SelfieNetworkTests(ITestOutputHelper log) => _log = log;

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "selfie", name);

    /// <remarks>
    /// Against the .tflite run operator by operator with TensorFlow.js (TensorFlow's NHWC layout, SAME padding and
    /// resize rules; measured: max 2.6e-5 general, 5.9e-5 landscape) and against PINTO's separate TF.js conversion
    /// of the general model, whose own float16 constants (hard-swish's 1/6 among them) move a few hundred pixels by
    /// up to 1.5e-2 (measured; mean 5e-5).
    /// </remarks>
    [Theory]
    [InlineData(nameof(SelfieModel.General), "input_256x256.rgb", "tfjs_ops_general.f32", 2e-4, 1e-6)]
    [InlineData(nameof(SelfieModel.Landscape), "input_256x144.rgb", "tfjs_ops_landscape.f32", 2e-4, 1e-6)]
    [InlineData(nameof(SelfieModel.General), "input_256x256.rgb", "tfjs_general.f32", 3e-2, 2e-4)]
    public void TranslationMatchesReference(string modelName, string input, string reference, double maxTolerance, double meanTolerance)
    {
        var model = Enum.Parse<SelfieModel>(modelName); // by name: the enum is internal, a test's parameters public
        var network = SelfieNetwork.Embedded(model);
        var mask = RunNetwork(network, File.ReadAllBytes(Fixture(input)));
        var expected = FloatFile.Read(Fixture(reference));
        Assert.Equal(expected.Length, mask.Length);
        double max = 0, sum = 0;
        int at = 0, over = 0;
        for (int i = 0; i < mask.Length; i++)
        {
            double d = Math.Abs(mask[i] - expected[i]);
            if (d > max) (max, at) = (d, i);
            if (d > 1e-3) over++;
            sum += d;
        }
        _log.WriteLine($"largest at x {at % network.Width}, y {at / network.Width}: {mask[at]} against {expected[at]}; {over} pixels differ by more than 1e-3");
        double mean = sum / mask.Length;
        int person = expected.Count(v => v >= 0.5f);
        _log.WriteLine($"{model} vs {reference}: max |diff| {max:E2}, mean {mean:E2}; {person} of {mask.Length} pixels person in the reference");
        // The input is a person: a mask that is all one thing would pass a loose tolerance on a blank output.
        Assert.InRange(person, mask.Length / 10, mask.Length * 9 / 10);
        Assert.True(max <= maxTolerance, $"max |diff| {max:E2} > {maxTolerance:E0}");
        Assert.True(mean <= meanTolerance, $"mean |diff| {mean:E2} > {meanTolerance:E0}");
    }

    private static float[] RunNetwork(SelfieNetwork network, byte[] rgb24)
    {
        int w = network.Width, h = network.Height;
        Assert.Equal(w * h * 3, rgb24.Length);
        var planar = new float[3 * w * h];
        for (int i = 0; i < w * h; i++)
            for (int c = 0; c < 3; c++) planar[c * w * h + i] = rgb24[3 * i + c] / 255f;
        using var options = new SessionOptions();
        using var session = new InferenceSession(SelfieGraph.BuildNetworkOnly(network), options);
        using var value = OrtValue.CreateTensorValueFromMemory(planar, new long[] { 1, 3, h, w });
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, new[] { "image" }, new[] { value }, new[] { "mask" });
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
