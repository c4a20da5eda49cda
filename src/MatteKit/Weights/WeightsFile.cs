using MatteKit.Weights;
namespace MatteKit;

/// <summary>Reads RVM weights from whichever published format a path holds.</summary>
public static class WeightsFile
{
    /// <summary>The embedded default: the official RVM MobileNetV3 TF.js model.</summary>
    public static WeightSet LoadDefault() => TfjsGraphModel.ReadEmbeddedDefault();

    /// <summary><see cref="Load"/> of <paramref name="path"/>, or the embedded default when it is null.</summary>
    internal static WeightSet LoadOrDefault(string? path) => path is null ? LoadDefault() : Load(path);

    /// <summary>
    /// A TF.js graph model (<c>model.json</c>, or the folder holding it) or a PyTorch <c>.pth</c> state_dict,
    /// told apart by extension, else by the first bytes.
    /// </summary>
    /// <exception cref="WeightsFormatException">One line naming the file and what is wrong with it.</exception>
    public static WeightSet Load(string path)
    {
        if (Directory.Exists(path))
        {
            var json = Path.Combine(path, "model.json");
            if (!File.Exists(json)) throw new WeightsFormatException(path, "folder holds no model.json (a TF.js model folder was expected)");
            return TfjsGraphModel.Read(json);
        }
        // A FIFO would block the read forever and a device (/dev/zero linked as model.json) would fill memory.
        if (Media.InputFile.Problem(path, "a weights file") is { } problem) throw new WeightsFormatException(path, problem);

        switch (Media.InputFile.KindExtension(path).ToLowerInvariant())
        {
            case ".json":
                return TfjsGraphModel.Read(path);
            case ".pth":
            case ".pt":
            case ".ckpt":
                return PyTorchCheckpoint.Read(path);
            case ".onnx":
                throw new WeightsFormatException(path, "an ONNX file holds a whole graph, not weights: load it with VideoMatter.Load(path), which runs it as it is");
        }

        Span<byte> head = stackalloc byte[2];
        int read;
        using (var f = File.OpenRead(path)) read = f.ReadAtLeast(head, 2, throwOnEndOfStream: false);
        if (read == 2 && head[0] == (byte)'P' && head[1] == (byte)'K') return PyTorchCheckpoint.Read(path);
        if (read >= 1 && head[0] == (byte)'{') return TfjsGraphModel.Read(path);
        throw new WeightsFormatException(path, "unknown weights format (expected a TF.js model.json or a PyTorch .pth state_dict)");
    }
}
