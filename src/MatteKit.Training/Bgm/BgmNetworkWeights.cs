using MatteKit.Bgm;
using MatteKit.Media;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace MatteKit.Training.Bgm;

/// <summary>
/// Moves weights between MatteKit's <see cref="WeightSet"/> (an official BGMv2 <c>.pth</c>, <c>MattingBase</c> or
/// <c>MattingRefine</c>) and the TorchSharp network by official key; writes <c>.pth</c> state dicts that the official
/// code loads strictly.
/// </summary>
internal static class BgmNetworkWeights
{
    /// <summary>The backbone an official BGMv2 state dict was trained with, read off its keys.</summary>
    public static BgmBackbone BackboneOf(WeightSet weights)
    {
        // RVM's MobileNetV3 shares the backbone key names: the decoder's tell the two apart.
        if (!weights.Contains("decoder.conv4.weight"))
            throw new WeightsFormatException(weights.Source, weights.Contains("project_mat.conv.weight")
                ? "a Robust Video Matting model, not BackgroundMattingV2"
                : "not a BackgroundMattingV2 state dict (tensor 'decoder.conv4.weight' is missing)");
        if (weights.Contains("backbone.features.0.0.weight")) return BgmBackbone.MobileNetV2;
        if (weights.Contains("backbone.layer3.22.conv1.weight")) return BgmBackbone.ResNet101;
        if (weights.Contains("backbone.layer3.5.conv1.weight")) return BgmBackbone.ResNet50;
        throw new WeightsFormatException(weights.Source, "not a BackgroundMattingV2 state dict (neither MobileNetV2 nor ResNet backbone keys)");
    }

    /// <summary>
    /// Copies <paramref name="weights"/> into <paramref name="network"/> by key and shape. Keys the weights lack
    /// (the refiner, when a base network's weights start a whole network) keep PyTorch's default initialisation and
    /// are returned; a key the network does not have, or a shape that differs, throws naming the file.
    /// </summary>
    public static IReadOnlyList<string> Load(BgmMattingNetwork network, WeightSet weights)
    {
        var fresh = Network.StateDictCopy.Into(network, weights, out var known);
        // A whole network's weights may start a base network (its refiner is not used); anything else is not this network's.
        var unknown = weights.Keys.Where(k => !known.Contains(k) && (network.Refiner is not null || !k.StartsWith("refiner.", StringComparison.Ordinal))).ToList();
        if (unknown.Count > 0)
            throw new WeightsFormatException(weights.Source,
                $"{unknown.Count} tensors the BGMv2 {network.Backbone} network does not have, e.g. '{unknown[0]}'");
        return fresh;
    }

    /// <summary>
    /// Writes the network's state dict as a <c>torch.save</c> zip (official keys and order, float32, int64 batch
    /// counters) under a temporary name beside <paramref name="path"/>, renamed when complete.
    /// </summary>
    public static void SavePth(BgmMattingNetwork network, string path)
    {
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (key, tensor) in StateDict(network)) state[key] = tensor.detach().contiguous();
        OutputFile.Write(path, stream => PyTorchPickler.PickleStateDict(stream, state, leaveOpen: true));
    }

    /// <summary>
    /// The state dict in PyTorch's order: module by module (pre-order), each module's parameters before its buffers.
    /// TorchSharp lists all parameters first; the keys are the same either way, the order makes the file read as the
    /// official one does.
    /// </summary>
    public static IEnumerable<(string Key, Tensor Tensor)> StateDict(BgmMattingNetwork network)
    {
        var moduleOrder = new Dictionary<string, int>(StringComparer.Ordinal);
        void Visit(TorchSharp.torch.nn.Module module, string name)
        {
            moduleOrder[name] = moduleOrder.Count;
            foreach (var (child, m) in module.named_children()) Visit(m, name.Length == 0 ? child : name + "." + child);
        }
        Visit(network, "");
        var buffers = network.named_buffers().Select(b => b.name).ToHashSet(StringComparer.Ordinal);
        return network.state_dict()
            .Select((entry, position) => (entry.Key, entry.Value, position))
            .OrderBy(e => moduleOrder[e.Key.Contains('.') ? e.Key[..e.Key.LastIndexOf('.')] : ""])
            .ThenBy(e => buffers.Contains(e.Key) ? 1 : 0)
            .ThenBy(e => e.position)
            .Select(e => (e.Key, e.Value));
    }
}
