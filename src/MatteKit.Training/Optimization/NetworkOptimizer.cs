using MatteKit.Training.Network;

namespace MatteKit.Training.Optimization;

/// <summary>
/// <see cref="ModuleAdam"/> with one parameter group per top-level module, in the
/// official order (backbone, aspp, decoder, project_mat, project_seg, refiner), as the paper's train.py builds it.
/// </summary>
internal sealed class NetworkOptimizer : ModuleAdam
{
    public NetworkOptimizer(MattingNetwork network, ModuleRates rates)
        : base(MattingNetwork.ModuleNames, network.ModuleParameters, rates)
    {
    }
}
