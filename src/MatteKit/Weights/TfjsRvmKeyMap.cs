using MatteKit.NetworkWidths;
namespace MatteKit.Weights;

/// <summary>
/// Maps the tensors of the official RVM MobileNetV3 TF.js graph model to the official PyTorch keys and layouts
/// of <c>MattingNetwork('mobilenetv3', refiner='fast_guided_filter')</c> (363 keys, no <c>project_seg</c>).
/// </summary>
/// <remarks>
/// The TF.js names are not listed one by one: they are derived by walking the network in the order Keras built
/// it, which is also the order of the PyTorch modules, and naming each layer the way Keras names layers
/// (a per-class counter: <c>conv2d</c>, <c>conv2d_1</c>, ...). Every tensor the walk needs is therefore known by
/// name and shape before it is looked up, so a missing or misshapen tensor is reported exactly.
/// <para>
/// Conversions (see <c>NAMES.md</c> of the shared models): conv kernels HWIO to OIHW, depthwise kernels HWC1 to
/// C1HW, biases as they are. Where the TF graph optimizer folded a batch norm into its conv
/// (<c>X_weights</c> + <c>X_bn_offset</c>) the conv gets the folded kernel and the batch norm becomes the exact
/// identity-plus-offset: weight 1, bias = offset, running mean 0, running variance <c>float32(1 - eps)</c>.
/// The dilated depthwise convs are not folded in the graph (<c>depthwise/ReadVariableOp</c> and
/// <c>FusedBatchNormV3/Scaled</c> / <c>Offset</c>): the batch norm weight is the scale instead of 1.
/// </para>
/// </remarks>
internal sealed class TfjsRvmKeyMap
{
    /// <summary>The scope every RVM tensor name starts with in the official TF.js model.</summary>
    internal const string Prefix = "StatefulPartitionedCall/matting_network_wrapper/StatefulPartitionedCall/";

    /// <summary>The number of keys the mapping produces (the official .pth's key count).</summary>
    internal const int KeyCount = 363;

    private const double BackboneEps = 1e-3; // torchvision MobileNetV3: BatchNorm2d(eps=0.001)
    private const double HeadEps = 1e-5;     // nn.BatchNorm2d default: LR-ASPP and decoder

    // MobileNetV3-Large inverted residual blocks (backbone.features.1 .. 15) and RVM's widths: the tables the network uses.
    private static readonly IReadOnlyList<MobileNetV3Stage> Blocks = MobileNetV3Large.Stages;
    private static readonly RvmArchitecture Widths = RvmArchitecture.MobileNetV3;

    private const int StemChannels = MobileNetV3Large.StemChannels;
    private const int LastChannels = MobileNetV3Large.LastChannels;
    private static int AsppChannels => Widths.AsppChannels;
    // Decoder: upsampling blocks decode3 .. decode1 (skip channels from the encoder, output channels), then the
    // output block decode0; the source image (3 channels) is concatenated at every scale.
    private static readonly (int Skip, int Out)[] UpsamplingBlocks =
        [(Widths.EncoderChannels[2], Widths.UpsamplingChannels[0]), (Widths.EncoderChannels[1], Widths.UpsamplingChannels[1]),
         (Widths.EncoderChannels[0], Widths.UpsamplingChannels[2])];
    private const int OutputChannels = RvmArchitecture.HiddenChannels;
    private const int ImageChannels = RvmArchitecture.ImageChannels;

    private readonly IReadOnlyDictionary<string, TfjsTensor> _tensors;
    private readonly string _source;
    private readonly List<WeightTensor> _result = new(KeyCount);

    // Keras layer-name counters, one per layer class.
    private int _convBnActivation, _conv2d, _depthwiseConv2d, _batchNormalization, _invertedResidual,
        _sequential, _squeezeExcitation, _convGru, _upsamplingBlock;

    private TfjsRvmKeyMap(IReadOnlyDictionary<string, TfjsTensor> tensors, string source)
    {
        _tensors = tensors;
        _source = source;
    }

    /// <summary>
    /// The official keys, in the order of the official state_dict, from <paramref name="tensors"/> (keyed by full
    /// TF.js name). Throws <see cref="WeightsFormatException"/> naming <paramref name="source"/> and the TF.js
    /// tensor when one is missing, not float32, or of an unexpected shape.
    /// </summary>
    public static List<WeightTensor> Map(IReadOnlyDictionary<string, TfjsTensor> tensors, string source)
    {
        var map = new TfjsRvmKeyMap(tensors, source);
        map.Backbone();
        map.Aspp();
        map.Decoder();
        // project_mat: Projection(16, 4), a 1x1 conv with bias at the top level of the graph.
        map.Conv("project_mat.conv", "", 1, OutputChannels, 4, bias: true);
        return map._result;
    }

    private void Backbone()
    {
        const string encoder = "mobile_net_v3_encoder/";

        // features.0: 3x3 stride-2 conv + BN + hardswish.
        ConvBn("backbone.features.0.0", "backbone.features.0.1", encoder + Next("conv_bn_activation", ref _convBnActivation) + "/",
            depthwise: false, kernel: 3, inChannels: ImageChannels, outChannels: StemChannels, BackboneEps, unfoldedInGraph: false);

        // features.1 .. 15: torchvision InvertedResidual: [expand 1x1] + depthwise + [squeeze-excitation] + project 1x1.
        for (int i = 0; i < Blocks.Count; i++)
        {
            var b = Blocks[i];
            string scope = encoder + Next("inverted_residual", ref _invertedResidual) + "/" + Next("sequential", ref _sequential) + "/";
            string block = $"backbone.features.{i + 1}.block.";
            int layer = 0;
            if (b.Expanded != b.In)
            {
                ConvBn(block + layer + ".0", block + layer + ".1", CbaScope(scope), false, 1, b.In, b.Expanded, BackboneEps, false);
                layer++;
            }
            ConvBn(block + layer + ".0", block + layer + ".1", CbaScope(scope), true, b.Kernel, b.Expanded, b.Expanded, BackboneEps,
                unfoldedInGraph: b.Dilation > 1);
            layer++;
            if (b.SqueezeExcite)
            {
                int squeeze = b.SqueezeChannels;
                string se = scope + Next("squeeze_excitation", ref _squeezeExcitation) + "/";
                Conv(block + layer + ".fc1", se, 1, b.Expanded, squeeze, bias: true);
                Conv(block + layer + ".fc2", se, 1, squeeze, b.Expanded, bias: true);
                layer++;
            }
            ConvBn(block + layer + ".0", block + layer + ".1", CbaScope(scope), false, 1, b.Expanded, b.Out, BackboneEps, false);
        }

        // features.16: 1x1 conv to 960 + BN + hardswish.
        ConvBn("backbone.features.16.0", "backbone.features.16.1", CbaScope(encoder), false, 1, Blocks[^1].Out, LastChannels,
            BackboneEps, false);
    }

    private void Aspp()
    {
        // LRASPP: aspp1 = conv 1x1 + BN + ReLU; aspp2 = global pool + conv 1x1 (no bias) + sigmoid.
        ConvBn("aspp.aspp1.0", "aspp.aspp1.1", "lraspp/" + Next("sequential", ref _sequential) + "/", false, 1, LastChannels,
            AsppChannels, HeadEps, false);
        Conv("aspp.aspp2.1", "lraspp/", 1, LastChannels, AsppChannels, bias: false);
    }

    private void Decoder()
    {
        // decode4: BottleneckBlock(128): ConvGRU on the second half of the channels.
        Gru("decoder.decode4.gru", "recurrent_decoder/bottleneck_block/", AsppChannels / 2);

        int inChannels = AsppChannels;
        for (int i = 0; i < UpsamplingBlocks.Length; i++)
        {
            var (skip, outChannels) = UpsamplingBlocks[i];
            string key = $"decoder.decode{3 - i}.";
            string scope = "recurrent_decoder/" + Next("upsampling_block", ref _upsamplingBlock) + "/";
            ConvBn(key + "conv.0", key + "conv.1", scope + Next("sequential", ref _sequential) + "/", false, 3,
                inChannels + skip + ImageChannels, outChannels, HeadEps, false);
            Gru(key + "gru", scope, outChannels / 2);
            inChannels = outChannels;
        }

        // decode0: OutputBlock: (conv 3x3 + BN + ReLU) twice.
        string output = "recurrent_decoder/output_block/" + Next("sequential", ref _sequential) + "/";
        ConvBn("decoder.decode0.conv.0", "decoder.decode0.conv.1", output, false, 3, inChannels + ImageChannels, OutputChannels,
            HeadEps, false);
        ConvBn("decoder.decode0.conv.3", "decoder.decode0.conv.4", output, false, 3, OutputChannels, OutputChannels, HeadEps, false);
    }

    /// <summary>ConvGRU(channels): <c>ih</c> conv 3x3 2c -> 2c, <c>hh</c> conv 3x3 2c -> c, both with bias.</summary>
    private void Gru(string key, string blockScope, int channels)
    {
        string scope = blockScope + Next("conv_gru", ref _convGru) + "/";
        Conv(key + ".ih.0", scope, 3, 2 * channels, 2 * channels, bias: true);
        Conv(key + ".hh.0", scope, 3, 2 * channels, channels, bias: true);
    }

    private string CbaScope(string parent) => parent + Next("conv_bn_activation", ref _convBnActivation) + "/";

    /// <summary>A conv without batch norm: <c>{scope}conv2d_N/Conv2D/ReadVariableOp</c> (+ <c>BiasAdd/ReadVariableOp</c>).</summary>
    private void Conv(string key, string scope, int kernel, int inChannels, int outChannels, bool bias)
    {
        string conv = scope + Next("conv2d", ref _conv2d) + "/";
        float[] w = Take(conv + "Conv2D/ReadVariableOp", key + ".weight", [kernel, kernel, inChannels, outChannels]);
        Add(key + ".weight", [outChannels, inChannels, kernel, kernel], HwioToOihw(w, kernel, kernel, inChannels, outChannels));
        if (bias)
            Add(key + ".bias", [outChannels], Take(conv + "BiasAdd/ReadVariableOp", key + ".bias", [outChannels]));
    }

    /// <summary>
    /// A conv (no bias) followed by a batch norm, both inside <paramref name="scope"/>. Folded form:
    /// <c>{conv}/Conv2D_weights</c> + <c>Conv2D_bn_offset</c> (depthwise: <c>depthwise_weights</c> +
    /// <c>depthwise_bn_offset</c>); unfolded form: <c>{conv}/Conv2D/ReadVariableOp</c> (depthwise:
    /// <c>depthwise/ReadVariableOp</c>) + <c>batch_normalization_N/FusedBatchNormV3/Scaled</c> and <c>Offset</c>.
    /// The form the official graph uses is tried first; the other is accepted too.
    /// </summary>
    private void ConvBn(string convKey, string bnKey, string scope, bool depthwise, int kernel, int inChannels, int outChannels,
        double eps, bool unfoldedInGraph)
    {
        string convPath = scope + (depthwise ? Next("depthwise_conv2d", ref _depthwiseConv2d) : Next("conv2d", ref _conv2d)) + "/";
        string bnPath = scope + Next("batch_normalization", ref _batchNormalization) + "/FusedBatchNormV3/";
        string op = depthwise ? "depthwise" : "Conv2D";
        string foldedWeight = convPath + op + "_weights";
        string rawWeight = convPath + op + "/ReadVariableOp";
        bool folded = unfoldedInGraph ? !Has(rawWeight) && Has(foldedWeight) : Has(foldedWeight) || !Has(rawWeight);

        int[] tfShape = depthwise ? [kernel, kernel, outChannels, 1] : [kernel, kernel, inChannels, outChannels];
        float[] w = Take(folded ? foldedWeight : rawWeight, convKey + ".weight", tfShape);
        if (depthwise)
            Add(convKey + ".weight", [outChannels, 1, kernel, kernel], Hwc1ToC1hw(w, kernel, kernel, outChannels));
        else
            Add(convKey + ".weight", [outChannels, inChannels, kernel, kernel], HwioToOihw(w, kernel, kernel, inChannels, outChannels));

        int[] vec = [outChannels];
        float[] gamma = folded ? Filled(outChannels, 1f) : Take(bnPath + "Scaled", bnKey + ".weight", vec);
        float[] beta = Take(folded ? convPath + op + "_bn_offset" : bnPath + "Offset", bnKey + ".bias", vec);
        Add(bnKey + ".weight", vec, gamma);
        Add(bnKey + ".bias", vec, beta);
        Add(bnKey + ".running_mean", vec, new float[outChannels]);
        // float32(1 - eps) + float32(eps) == 1 exactly, so sqrt(var + eps) == 1 and the BN is exactly x * weight + bias.
        Add(bnKey + ".running_var", vec, Filled(outChannels, (float)(1.0 - eps)));
        Add(bnKey + ".num_batches_tracked", [], [0f]);
    }

    private bool Has(string name) => _tensors.ContainsKey(Prefix + name);

    private float[] Take(string name, string key, int[] expectedShape)
    {
        string full = Prefix + name;
        if (!_tensors.TryGetValue(full, out var t))
            throw new WeightsFormatException(_source, $"TF.js tensor '{full}' (needed for '{key}') is missing");
        if (t.Data is null)
            throw new WeightsFormatException(_source, $"TF.js tensor '{full}' (for '{key}') has dtype {t.Dtype}, expected float32");
        if (!t.Shape.AsSpan().SequenceEqual(expectedShape))
            throw new WeightsFormatException(_source,
                $"TF.js tensor '{full}' (for '{key}') has shape {t.ShapeText}, expected [{string.Join(", ", expectedShape)}]");
        return t.Data;
    }

    private void Add(string key, int[] shape, float[] data) => _result.Add(new WeightTensor(key, shape, data));

    /// <summary>Keras layer naming: the first layer of a class is <c>name</c>, the next <c>name_1</c>, ...</summary>
    private static string Next(string name, ref int counter)
    {
        int n = counter++;
        return n == 0 ? name : name + "_" + n;
    }

    private static float[] Filled(int n, float value)
    {
        var a = new float[n];
        Array.Fill(a, value);
        return a;
    }

    /// <summary>TF conv kernel [kh, kw, in, out] to PyTorch [out, in, kh, kw].</summary>
    internal static float[] HwioToOihw(float[] src, int kh, int kw, int cin, int cout)
    {
        var dst = new float[src.Length];
        for (int h = 0; h < kh; h++)
            for (int w = 0; w < kw; w++)
                for (int i = 0; i < cin; i++)
                {
                    int s = ((h * kw + w) * cin + i) * cout;
                    for (int o = 0; o < cout; o++)
                        dst[((o * cin + i) * kh + h) * kw + w] = src[s + o];
                }
        return dst;
    }

    /// <summary>TF depthwise kernel [kh, kw, C, 1] to PyTorch [C, 1, kh, kw].</summary>
    internal static float[] Hwc1ToC1hw(float[] src, int kh, int kw, int channels)
    {
        var dst = new float[src.Length];
        for (int h = 0; h < kh; h++)
            for (int w = 0; w < kw; w++)
                for (int c = 0; c < channels; c++)
                    dst[(c * kh + h) * kw + w] = src[(h * kw + w) * channels + c];
        return dst;
    }
}
