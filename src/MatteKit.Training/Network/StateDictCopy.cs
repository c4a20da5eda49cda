using static TorchSharp.torch;

namespace MatteKit.Training.Network;

/// <summary>
/// Copies a <see cref="WeightSet"/> into a TorchSharp module's state dict by key and shape, for RVM and BGMv2 alike:
/// keys the weights lack keep PyTorch's default initialisation (and are returned, batch counters left out); a shape that
/// differs throws naming the file. What the weights hold beyond the module is the caller's to judge (<paramref name="known"/>).
/// </summary>
internal static class StateDictCopy
{
    public static List<string> Into(nn.Module module, WeightSet weights, out HashSet<string> known)
    {
        var fresh = new List<string>();
        known = new HashSet<string>(StringComparer.Ordinal);
        using (no_grad())
        {
            foreach (var (key, tensor) in module.state_dict())
            {
                known.Add(key);
                if (!weights.TryGet(key, out var source))
                {
                    if (!key.EndsWith("num_batches_tracked", StringComparison.Ordinal)) fresh.Add(key);
                    continue;
                }
                var expected = tensor.shape.Select(d => (int)d).ToArray();
                // Scalars (num_batches_tracked) may come as [] or [1].
                if (tensor.NumberOfElements != source.Data.Length || (expected.Length > 0 && !source.Shape.SequenceEqual(expected)))
                    throw new WeightsFormatException(weights.Source,
                        $"tensor '{key}' has shape {source.ShapeText}, the network needs [{string.Join(", ", expected)}]");
                using var values = TorchSharp.torch.tensor(source.Data).reshape(tensor.shape);
                tensor.copy_(values.to(tensor.dtype));
            }
        }
        return fresh;
    }
}
