using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MatteKit.Training.Optimization;

/// <summary>
/// Adam (betas 0.9/0.999, eps 1e-8, no weight decay) with one parameter group per named top-level module, each at its
/// own rate (<see cref="ModuleRates"/>): what RVM's and BGMv2's official training scripts build, the modules and rates
/// being theirs (<see cref="NetworkOptimizer"/>, <see cref="BgmOptimizer"/>).
/// </summary>
internal abstract class ModuleAdam : IDisposable
{
    private readonly Adam _adam;
    private readonly string[] _groupNames;

    protected ModuleAdam(IEnumerable<string> groupNames, Func<string, IEnumerable<Parameter>> parameters, ModuleRates rates)
    {
        _groupNames = groupNames.ToArray();
        var groups = _groupNames
            .Select(name => new Adam.ParamGroup(parameters(name), new Adam.Options { LearningRate = rates.Of(name) }))
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

    /// <summary>How many parameter groups this Adam has (one a module it trains).</summary>
    public int GroupCount => _groupNames.Length;

    /// <summary>
    /// How many parameter groups the Adam state saved at the reader's position has, the reader left there: TorchSharp
    /// writes the optimizer's type name, then that count (LEB128, which is .NET's 7-bit encoding); null where no such opening is.
    /// An Adam that is not the one a checkpoint's header names is told by this, before TorchSharp's own refusal.
    /// </summary>
    public static long? SavedGroupCount(BinaryReader reader)
    {
        long at = reader.BaseStream.Position;
        try
        {
            return reader.ReadString() == nameof(Adam) ? reader.Read7BitEncodedInt64() : null;
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or FormatException)
        {
            return null;
        }
        finally
        {
            reader.BaseStream.Position = at;
        }
    }

    /// <summary>Whether every group's rate is what <see cref="Rates"/> says (a loaded state brings its own rates).</summary>
    public bool RunsAtItsRates() =>
        _adam.ParamGroups.Select((g, i) => (g.LearningRate, Expected: Rates.Of(_groupNames[i])))
            .All(r => Math.Abs(r.LearningRate - r.Expected) <= 1e-9 * r.Expected);

    public void Dispose() => _adam.Dispose();
}
