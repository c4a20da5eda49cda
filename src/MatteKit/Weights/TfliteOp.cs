namespace MatteKit.Weights;

/// <summary>TFLite's <c>BuiltinOperator</c> codes (schema.fbs) of the operators MatteKit's translation knows, and a few it names in errors.</summary>
internal enum TfliteOp
{
    Add = 0,
    AveragePool2D = 1,
    Concatenation = 2,
    Conv2D = 3,
    DepthwiseConv2D = 4,
    Dequantize = 6,
    FullyConnected = 9,
    Logistic = 14,
    MaxPool2D = 17,
    Mul = 18,
    Relu = 19,
    Relu6 = 21,
    Reshape = 22,
    ResizeBilinear = 23,
    Softmax = 25,
    Tanh = 28,
    Custom = 32,
    Pad = 34,
    Mean = 40,
    Sub = 41,
    TransposeConv = 67,
    HardSwish = 117,
}
