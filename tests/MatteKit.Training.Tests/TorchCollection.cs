namespace MatteKit.Tests.Training;

/// <summary>
/// The TorchSharp tests run one at a time: libtorch already uses both cores for one network, and two training
/// runs side by side would each take twice as long and hold twice the memory.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchCollection
{
    public const string Name = "TorchSharp";
}
