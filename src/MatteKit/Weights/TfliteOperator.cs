namespace MatteKit.Weights;

/// <summary>
/// One operator of a TFLite subgraph, in execution order (<paramref name="Index"/>): its builtin code (or
/// <see cref="TfliteOp.Custom"/> with <paramref name="CustomCode"/>), input and output tensor indices (-1: an
/// optional input left out; the reader guarantees at least one output and no -1 among them), its builtin options
/// table and a custom operator's raw option bytes.
/// </summary>
internal sealed record TfliteOperator(int Index, TfliteOp Code, string? CustomCode, int[] Inputs, int[] Outputs,
    FlatBufferTable? Options, ReadOnlyMemory<byte> CustomOptions)
{
    public string Describe() => Code == TfliteOp.Custom ? $"operator {Index} (custom '{CustomCode}')" : $"operator {Index} ({Code.ToString().ToUpperInvariant()})";
}
