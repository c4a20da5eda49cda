namespace MatteKit.Rvm;

/// <summary>One row of MobileNetV3-Large's layer table: widths, kernel, squeeze-excitation, activation, stride, dilation.</summary>
internal sealed record MobileNetV3Stage(int In, int Kernel, int Expanded, int Out, bool SqueezeExcite, bool HardSwish, int Stride, int Dilation);
