namespace MatteKit.Tests.TestSupport;

/// <summary>Raw little-endian float32 files, as the reference scripts under tools/ write them.</summary>
public static class FloatFile
{
    public static float[] Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, values.Length * 4);
        return values;
    }
}
