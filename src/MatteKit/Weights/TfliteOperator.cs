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
    public string Describe() => Code == TfliteOp.Custom ? $"operator {Index} (custom '{CustomCode}')" : $"operator {Index} ({SchemaName(Code)})";

    /// <summary>The name schema.fbs gives the operator (CONV_2D, HARD_SWISH), so that it can be looked up there.</summary>
    private static string SchemaName(TfliteOp code)
    {
        var name = code.ToString();
        var upper = new System.Text.StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (i > 0 && ((char.IsUpper(c) && char.IsLower(name[i - 1])) || (char.IsDigit(c) && char.IsLetter(name[i - 1])))) upper.Append('_');
            upper.Append(char.ToUpperInvariant(c));
        }
        return upper.ToString();
    }
}
