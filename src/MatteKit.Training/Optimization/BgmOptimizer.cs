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

    /// <param name="trainsRefiner">False for the base stage of a whole network: its refiner is not run, and not optimised.</param>
    public BgmOptimizer(BgmMattingNetwork network, ModuleRates rates, bool trainsRefiner = true)
        : base(BgmMattingNetwork.ModuleNames.Where(n => n != "refiner" || (network.Refiner is not null && trainsRefiner)), network.ModuleParameters, rates)
    {
    }
}
