namespace MatteKit.Weights;

/// <summary>
/// A storage a pickled tensor points at through BINPERSID: <c>('storage', torch.FloatStorage, '&lt;key&gt;',
/// '&lt;location&gt;', numel)</c>. Its bytes are the zip entry <c>&lt;top&gt;/data/&lt;key&gt;</c>.
/// </summary>
internal sealed record TorchStorageRef(TorchDType DType, string Key, string Location, long NumElements);
