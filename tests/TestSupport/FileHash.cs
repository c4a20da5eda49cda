using System.Security.Cryptography;

namespace MatteKit.Tests.TestSupport;

/// <summary>A file's SHA-256, to show that a refused command left an input exactly as it was.</summary>
public static class FileHash
{
    public static string Of(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
}
