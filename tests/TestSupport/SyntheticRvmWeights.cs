using MatteKit.Weights;

namespace MatteKit.Tests.TestSupport;

/// <summary>
/// The deterministic synthetic weights of <c>shared/reference/rvm_variants</c> (its README gives the formula):
/// element i of the k-th float tensor of the state_dict is a function of (key, shape, k, i) only, so the weights of
/// model b (ResNet50 + deep guided filter, 27 M values) need no file.
/// </summary>
public static class SyntheticRvmWeights
{
    private static readonly Lazy<WeightSet> ResNet50 = new(BuildModelB);

    /// <summary>
    /// Model a: <c>MattingNetwork('mobilenetv3', 'deep_guided_filter')</c> with the real weights of
    /// <paramref name="real"/> (the official TF.js values) and the formula for the segmentation head and the deep
    /// guided filter, which come last in the state_dict (k = 311..325).
    /// </summary>
    public static WeightSet ModelA(WeightSet real)
    {
        const int firstK = 311;
        var tensors = real.Keys.Select(k => real.Get(k)).ToList();
        int k = firstK;
        foreach (var (key, shape) in HeadAndRefinerKeys())
            tensors.Add(new WeightTensor(key, shape, Values(key, shape, k++)));
        return new WeightSet($"synthetic model a over {real.Source}", tensors);
    }

    /// <summary>Model b: <c>MattingNetwork('resnet50', 'deep_guided_filter')</c>, every tensor from the formula.</summary>
    public static WeightSet ModelB => ResNet50.Value;

    /// <summary>The float keys of model b in state_dict order (num_batches_tracked left out), with shapes.</summary>
    public static IEnumerable<(string Key, int[] Shape)> ModelBKeys()
    {
        foreach (var t in ConvBn("backbone.conv1", "backbone.bn1", 64, 3, 7)) yield return t;
        var stages = new (int Blocks, int Planes)[] { (3, 64), (4, 128), (6, 256), (3, 512) };
        int inChannels = 64;
        for (int s = 0; s < 4; s++)
        {
            var (blocks, planes) = stages[s];
            for (int b = 0; b < blocks; b++)
            {
                string p = $"backbone.layer{s + 1}.{b}";
                foreach (var t in ConvBn(p + ".conv1", p + ".bn1", planes, inChannels, 1)) yield return t;
                foreach (var t in ConvBn(p + ".conv2", p + ".bn2", planes, planes, 3)) yield return t;
                foreach (var t in ConvBn(p + ".conv3", p + ".bn3", planes * 4, planes, 1)) yield return t;
                if (b == 0)
                    foreach (var t in ConvBn(p + ".downsample.0", p + ".downsample.1", planes * 4, inChannels, 1)) yield return t;
                inChannels = planes * 4;
            }
        }
        foreach (var t in ConvBn("aspp.aspp1.0", "aspp.aspp1.1", 256, 2048, 1)) yield return t;
        yield return ("aspp.aspp2.1.weight", new[] { 256, 2048, 1, 1 });
        foreach (var t in Gru("decoder.decode4.gru", 128)) yield return t;
        var decoder = new (string Name, int In, int Out)[] { ("decode3", 256 + 512 + 3, 128), ("decode2", 128 + 256 + 3, 64), ("decode1", 64 + 64 + 3, 32) };
        foreach (var (name, inC, outC) in decoder)
        {
            foreach (var t in ConvBn($"decoder.{name}.conv.0", $"decoder.{name}.conv.1", outC, inC, 3)) yield return t;
            foreach (var t in Gru($"decoder.{name}.gru", outC / 2)) yield return t;
        }
        foreach (var t in ConvBn("decoder.decode0.conv.0", "decoder.decode0.conv.1", 16, 32 + 3, 3)) yield return t;
        foreach (var t in ConvBn("decoder.decode0.conv.3", "decoder.decode0.conv.4", 16, 16, 3)) yield return t;
        yield return ("project_mat.conv.weight", new[] { 4, 16, 1, 1 });
        yield return ("project_mat.conv.bias", new[] { 4 });
        foreach (var t in HeadAndRefinerKeys()) yield return t;
    }

    /// <summary>The formula: <c>t = 0.7 i + 1.3 k + 0.015 i^2</c>, <c>s = sin t</c>, value by the key's rule, rounded to float32.</summary>
    public static float[] Values(string key, int[] shape, int k)
    {
        long n = 1;
        foreach (var d in shape) n *= d;
        var values = new float[n];
        for (long i = 0; i < n; i++)
        {
            double t = 0.7 * i + 1.3 * k + 0.015 * ((double)i * i);
            double s = Math.Sin(t);
            double x;
            if (key == "refiner.box_filter.weight") x = (1 + 0.1 * s) / 9;
            else if (key.EndsWith(".weight") && shape.Length == 4)
                x = (key.StartsWith("backbone.") ? 1.5 : 2.5) / Math.Sqrt(shape[1] * shape[2] * shape[3]) * s;
            else if (key.EndsWith(".weight")) x = 1 + 0.1 * s;
            else if (key.EndsWith(".bias")) x = 0.1 * s;
            else if (key.EndsWith(".running_mean")) x = 0.05 * s;
            else if (key.EndsWith(".running_var")) x = 1 + 0.5 * Math.Abs(s);
            else throw new ArgumentException($"no rule for {key}");
            values[i] = (float)x;
        }
        return values;
    }

    private static WeightSet BuildModelB()
    {
        var keys = ModelBKeys().ToArray();
        var tensors = new WeightTensor[keys.Length];
        Parallel.For(0, keys.Length, k => tensors[k] = new WeightTensor(keys[k].Key, keys[k].Shape, Values(keys[k].Key, keys[k].Shape, k)));
        return new WeightSet("synthetic model b (ResNet50 + deep guided filter)", tensors);
    }

    private static IEnumerable<(string, int[])> HeadAndRefinerKeys()
    {
        yield return ("project_seg.conv.weight", new[] { 1, 16, 1, 1 });
        yield return ("project_seg.conv.bias", new[] { 1 });
        yield return ("refiner.box_filter.weight", new[] { 4, 1, 3, 3 });
        foreach (var t in ConvBn("refiner.conv.0", "refiner.conv.1", 16, 24, 1)) yield return t;
        foreach (var t in ConvBn("refiner.conv.3", "refiner.conv.4", 16, 16, 1)) yield return t;
        yield return ("refiner.conv.6.weight", new[] { 4, 16, 1, 1 });
        yield return ("refiner.conv.6.bias", new[] { 4 });
    }

    private static IEnumerable<(string, int[])> ConvBn(string conv, string bn, int outC, int inC, int kernel)
    {
        yield return (conv + ".weight", new[] { outC, inC, kernel, kernel });
        foreach (var part in new[] { ".weight", ".bias", ".running_mean", ".running_var" }) yield return (bn + part, new[] { outC });
    }

    private static IEnumerable<(string, int[])> Gru(string prefix, int channels)
    {
        yield return (prefix + ".ih.0.weight", new[] { channels * 2, channels * 2, 3, 3 });
        yield return (prefix + ".ih.0.bias", new[] { channels * 2 });
        yield return (prefix + ".hh.0.weight", new[] { channels, channels * 2, 3, 3 });
        yield return (prefix + ".hh.0.bias", new[] { channels });
    }
}
