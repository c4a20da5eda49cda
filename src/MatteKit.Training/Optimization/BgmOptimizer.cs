using MatteKit.Training.Bgm;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MatteKit.Training.Optimization;

/// <summary>
/// Adam (betas 0.9/0.999, eps 1e-8, no weight decay) with one parameter group per top-level module of a BGMv2
/// network (backbone, aspp, decoder, and refiner when it has one and trains it), in the official order, as the
/// official <c>train_base.py</c> and <c>train_refine.py</c> build it.
/// </summary>
internal sealed class BgmOptimizer : IDisposable
{
    /// <summary><c>train_base.py</c>'s rates: backbone 1e-4, ASPP and decoder 5e-4 (no refiner).</summary>
    public static readonly ModuleRates OfficialBase = new(1e-4, 5e-4, 5e-4, 0);

    /// <summary><c>train_refine.py</c>'s rates: backbone and ASPP 5e-5, decoder 1e-4, refiner 3e-4.</summary>
    public static readonly ModuleRates OfficialRefine = new(5e-5, 5e-5, 1e-4, 3e-4);

    private readonly Adam _adam;
    private readonly string[] _groupNames;

    /// <param name="trainsRefiner">False for the base stage of a whole network: its refiner is not run, and not optimised.</param>
    public BgmOptimizer(BgmMattingNetwork network, ModuleRates rates, bool trainsRefiner = true)
    {
        _groupNames = BgmMattingNetwork.ModuleNames.Where(n => n != "refiner" || (network.Refiner is not null && trainsRefiner)).ToArray();
        var groups = _groupNames
            .Select(name => new Adam.ParamGroup(network.ModuleParameters(name), new Adam.Options { LearningRate = rates.Of(name) }))
            .ToArray();
        _adam = optim.Adam(groups, lr: rates.Decoder, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0);
        Rates = rates;
    }

    public ModuleRates Rates { get; private set; }

    /// <summary>Sets every group's rate (warm-up, schedule).</summary>
    public void SetRates(ModuleRates rates)
    {
        var groups = _adam.ParamGroups.ToArray();
        for (int i = 0; i < groups.Length; i++) groups[i].LearningRate = rates.Of(_groupNames[i]);
        Rates = rates;
    }

    public void ZeroGrad() => _adam.zero_grad();

    public void Step() => _adam.step();

    /// <summary>Adam's moments and step counts, for an exact resume.</summary>
    public void Save(BinaryWriter writer) => _adam.save_state_dict(writer);

    public void Load(BinaryReader reader) => _adam.load_state_dict(reader);

    public void Dispose() => _adam.Dispose();
}
