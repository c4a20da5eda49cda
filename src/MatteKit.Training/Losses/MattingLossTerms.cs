using static TorchSharp.torch;

namespace MatteKit.Training.Losses;

/// <summary>The five matting terms of the paper (section 3.3) and their sum, as scalar tensors.</summary>
internal sealed record MattingLossTerms(Tensor AlphaL1, Tensor AlphaLaplacian, Tensor AlphaCoherence, Tensor ForegroundL1, Tensor ForegroundCoherence)
{
    public Tensor Total => AlphaL1 + AlphaCoherence + AlphaLaplacian + ForegroundL1 + ForegroundCoherence;

    /// <summary>The terms as numbers, under the official names (<c>pha_l1</c>, ...).</summary>
    public IReadOnlyDictionary<string, double> Values() => new Dictionary<string, double>
    {
        ["pha_l1"] = AlphaL1.item<float>(),
        ["pha_laplacian"] = AlphaLaplacian.item<float>(),
        ["pha_coherence"] = AlphaCoherence.item<float>(),
        ["fgr_l1"] = ForegroundL1.item<float>(),
        ["fgr_coherence"] = ForegroundCoherence.item<float>(),
    };
}
