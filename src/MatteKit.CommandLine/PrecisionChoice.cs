namespace MatteKit.CommandLine;

/// <summary><c>--precision</c>: RVM in float32 throughout, or its encoder and LR-ASPP in int8 (<c>MattingSettings.Int8</c>).</summary>
public enum PrecisionChoice
{
    Fp32,
    Int8,
}
