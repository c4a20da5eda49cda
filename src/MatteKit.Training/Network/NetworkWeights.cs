using MatteKit.Media;
using MatteKit.Rvm;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace MatteKit.Training.Network;

/// <summary>
/// Moves weights between MatteKit's <see cref="WeightSet"/> (any format MatteKit reads: TF.js, <c>.pth</c>) and the
/// TorchSharp network, by official key; writes <c>.pth</c> state dicts that the official code loads strictly.
/// </summary>
/// <remarks>
/// The TF.js model has each batch norm folded into its conv; MatteKit's reader turns such a pair back into the
/// folded kernel plus an identity batch norm with the offset as bias (weight 1, mean 0, variance 1 - eps). The
/// network computes exactly the same function, and training it with frozen batch norm trains the folded kernel
/// and that batch norm's scale and shift, which together span what the unfolded pair did. With batch statistics
/// (train-mode batch norm) the identity running statistics are replaced as training proceeds.
/// </remarks>
internal static class NetworkWeights
{
    /// <summary>
    /// The network for <paramref name="weights"/>: the backbone from its keys; tensors copied by key and shape.
    /// Keys the weights lack (a segmentation head, a deep guided filter the base does not have) keep PyTorch's
    /// default initialisation and are returned in <paramref name="initialised"/>.
    /// </summary>
    public static MattingNetwork Create(WeightSet weights, RvmRefiner refiner, out IReadOnlyList<string> initialised)
    {
        var network = new MattingNetwork(RvmNetwork.BackboneOf(weights), refiner);
        var fresh = StateDictCopy.Into(network, weights, out var known);
        // Any other key would be silently dropped: a different refiner's is expected, anything else is not RVM's.
        var unknown = weights.Keys.Where(k => !known.Contains(k) && !k.StartsWith("refiner.", StringComparison.Ordinal)).ToList();
        if (unknown.Count > 0)
            throw new WeightsFormatException(weights.Source,
                $"{unknown.Count} tensors the RVM network does not have, e.g. '{unknown[0]}' (not an RVM state dict)");
        initialised = fresh;
        return network;
    }

    /// <summary>
    /// Writes the network's state dict as a <c>torch.save</c> zip (official keys, float32, int64 batch counters)
    /// under a temporary name beside <paramref name="path"/>, renamed when complete.
    /// </summary>
    public static void SavePth(MattingNetwork network, string path)
    {
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (key, tensor) in network.state_dict())
        {
            // A fast guided filter has no tensors; the official fast-guided-filter network has none under refiner.*.
            state[key] = tensor.detach().contiguous();
        }
        OutputFile.Write(path, stream => PyTorchPickler.PickleStateDict(stream, state, leaveOpen: true));
    }
}
