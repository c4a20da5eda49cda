using static TorchSharp.torch;

namespace MatteKit.Training.Losses;

/// <summary>The terms of a BGMv2 loss under the official names, in the official order, and their sum.</summary>
internal sealed class BgmLossTerms
{
    public BgmLossTerms(IReadOnlyList<(string Name, Tensor Value)> terms)
    {
        Terms = terms;
        // Summed left to right, as the official scripts add them.
        Total = terms.Skip(1).Aggregate(terms[0].Value, (sum, t) => sum + t.Value);
    }

    public IReadOnlyList<(string Name, Tensor Value)> Terms { get; }

    public Tensor Total { get; }

    /// <summary>The terms as numbers (<c>pha_l1</c>, ...).</summary>
    public IReadOnlyDictionary<string, double> Values() => Terms.ToDictionary(t => t.Name, t => (double)t.Value.item<float>());
}
