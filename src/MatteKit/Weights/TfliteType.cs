namespace MatteKit.Weights;

/// <summary>TFLite's <c>TensorType</c> values (schema.fbs), the ones a reader can meet in an image model.</summary>
internal enum TfliteType : byte
{
    Float32 = 0,
    Float16 = 1,
    Int32 = 2,
    UInt8 = 3,
    Int64 = 4,
    Bool = 6,
    Int8 = 9,
}
