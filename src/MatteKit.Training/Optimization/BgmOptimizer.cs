using MatteKit.Training.Bgm;

namespace MatteKit.Training.Optimization;

/// <summary>
/// <see cref="ModuleAdam"/> with one parameter group per top-level module of a BGMv2
/// network (backbone, aspp, decoder, and refiner when it has one and trains it), in the official order, as the
/// official <c>train_base.py</c> and <c>train_refine.py</c> build it.
/// </summary>
internal sealed class BgmOptimizer : ModuleAdam
{
    /// <summary><c>train_base.py</c>'s rates: backbone 1e-4, ASPP and decoder 5e-4 (no refiner).</summary>
    public static readonly ModuleRates OfficialBase = new(1e-4, 5e-4, 5e-4, 0);

    /// <summary><c>train_refine.py</c>'s rates: backbone and ASPP 5e-5, decoder 1e-4, refiner 3e-4.</summary>
    public static readonly ModuleRates OfficialRefine = new(5e-5, 5e-5, 1e-4, 3e-4);

    /// <summary>
    /// The base stage's rates for a network that started from no weights: the official ones three times over, the
    /// backbone's three times again. The official backbone learns at a fifth of the decoder's rate because it starts
    /// from ImageNet weights; from PyTorch's default initialisation it has everything to learn. Measured against the
    /// official rates (docs/training.md, "Starting without weights"); at ten times the official ones the network got stuck (the same alpha at every validation).
    /// </summary>
    public static readonly ModuleRates ScratchBase = new(9e-4, 1.5e-3, 1.5e-3, 0);

    /// <summary>The refine stage's rates for a network that started from no weights: the official ones scaled as <see cref="ScratchBase"/>'s.</summary>
    public static readonly ModuleRates ScratchRefine = new(4.5e-4, 1.5e-4, 3e-4, 9e-4);

    /// <summary>A stage's rates: the official ones, or the scratch ones for a network that started from no weights.</summary>
    public static ModuleRates For(bool refine, bool fromScratch) => (refine, fromScratch) switch
    {
        (false, false) => OfficialBase,
        (true, false) => OfficialRefine,
        (false, true) => ScratchBase,
        (true, true) => ScratchRefine,
    };

    /// <param name="trainsRefiner">False for the base stage of a whole network: its refiner is not run, and not optimised.</param>
    public BgmOptimizer(BgmMattingNetwork network, ModuleRates rates, bool trainsRefiner = true)
        : base(BgmMattingNetwork.ModuleNames.Where(n => n != "refiner" || (network.Refiner is not null && trainsRefiner)), network.ModuleParameters, rates)
    {
    }
}
