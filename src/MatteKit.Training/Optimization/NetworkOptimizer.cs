using MatteKit.Training.Network;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MatteKit.Training.Optimization;

/// <summary>
/// Adam (betas 0.9/0.999, eps 1e-8, no weight decay) with one parameter group per top-level module, in the
/// official order (backbone, aspp, decoder, project_mat, project_seg, refiner), as the paper's train.py builds it.
/// </summary>
internal sealed class NetworkOptimizer : IDisposable
{
    private readonly Adam _adam;
    private readonly Adam.ParamGroup[] _groups;

    public NetworkOptimizer(MattingNetwork network, ModuleRates rates)
    {
        _groups = MattingNetwork.ModuleNames
            .Select(name => new Adam.ParamGroup(network.ModuleParameters(name), new Adam.Options { LearningRate = rates.Of(name) }))
            .ToArray();
        _adam = optim.Adam(_groups, lr: rates.Decoder, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0);
        Rates = rates;
    }

    public ModuleRates Rates { get; private set; }

    /// <summary>Sets every group's rate (warm-up, schedule).</summary>
    public void SetRates(ModuleRates rates)
    {
        var groups = _adam.ParamGroups.ToArray();
        for (int i = 0; i < groups.Length; i++) groups[i].LearningRate = rates.Of(MattingNetwork.ModuleNames[i]);
        Rates = rates;
    }

    public void ZeroGrad() => _adam.zero_grad();

    public void Step() => _adam.step();

    /// <summary>Adam's moments and step counts, for an exact resume.</summary>
    public void Save(BinaryWriter writer) => _adam.save_state_dict(writer);

    public void Load(BinaryReader reader) => _adam.load_state_dict(reader);

    public void Dispose() => _adam.Dispose();
}
