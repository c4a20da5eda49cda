namespace MatteKit.Weights;

/// <summary>
/// A pickle GLOBAL reference (<c>module.name</c>) that the restricted unpickler allowed. It is only a name:
/// nothing is imported or called; "calling" it builds one of our own objects.
/// </summary>
internal sealed record PickleGlobal(string Module, string Name)
{
    public string FullName => Module + "." + Name;

    public override string ToString() => FullName;
}
