namespace MatteKit.Weights;

/// <summary>
/// One operator of a TFLite subgraph, in execution order: its builtin code (or <see cref="TfliteOp.Custom"/> with
/// <paramref name="CustomCode"/>), input and output tensor indices (-1: an optional input left out), its builtin
/// options table and a custom operator's raw option bytes.
/// </summary>
internal sealed record TfliteOperator(TfliteOp Code, string? CustomCode, int[] Inputs, int[] Outputs,
    FlatBufferTable? Options, ReadOnlyMemory<byte> CustomOptions)
{
    public string Describe() => Code == TfliteOp.Custom ? $"custom operator '{CustomCode}'" : $"operator {Code.ToString().ToUpperInvariant()}";
}
