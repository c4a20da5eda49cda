using MatteKit.Inference;
using MatteKit.Onnx;
using MatteKit.Rvm;
using Microsoft.ML.OnnxRuntime;

namespace MatteKit;

/// <summary>
/// Mattes a video frame by frame, carrying RVM's recurrent state from one frame to the next.
/// <code>
/// using var matter = VideoMatter.Load();            // the embedded default model
/// var result = matter.Process(rgb24, width, height); // ratio: auto
/// matter.Reset();                                     // next clip
/// </code>
/// Not thread-safe: use one instance per video stream.
/// </summary>
public sealed class VideoMatter : IDisposable
{
    private readonly IMatteEngine _engine;
    private readonly SessionOptions _sessionOptions;

    private VideoMatter(Func<SessionOptions, IMatteEngine> engine, MatterOptions options)
    {
        _sessionOptions = OrtSessionOptions.Create(options.Threads, options.SpinWhileIdle);
        try
        {
            _engine = engine(_sessionOptions);
        }
        catch
        {
            _sessionOptions.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Loads weights from <paramref name="weightsPath"/> (a TF.js <c>model.json</c> or its folder, a PyTorch
    /// <c>.pth</c> state_dict, or an RVM <c>.onnx</c> file, official or exported by MatteKit), or the embedded default
    /// model when null.
    /// </summary>
    /// <exception cref="WeightsFormatException">The file cannot be used; the message names it and the problem.</exception>
    public static VideoMatter Load(string? weightsPath = null, MatterOptions? options = null)
    {
        options ??= new MatterOptions();
        if (weightsPath is not null && IsOnnxFile(weightsPath))
        {
            if (options.Refiner is not null)
                throw new ArgumentException($"{weightsPath}: an ONNX file runs the refiner it was exported with; the refiner cannot be chosen");
            return new VideoMatter(so => new OnnxFileEngine(weightsPath, so), options);
        }
        return Load(WeightsFile.LoadOrDefault(weightsPath), options);
    }

    public static VideoMatter Load(WeightSet weights, MatterOptions? options = null)
    {
        options ??= new MatterOptions();
        var network = RvmNetwork.FromWeights(weights, options.Refiner);
        var int8 = options.Int8Ranges is { } ranges ? Int8Quantization.With(ranges) : null;
        return new VideoMatter(so => new GraphEngine(network, so, options.MaxCachedSizes, int8), options);
    }

    /// <summary>Where the weights came from.</summary>
    public string WeightsSource => _engine.Source;

    /// <summary>Multiply-adds of the convolutions for the size processed last (0 before the first frame, and for ONNX files).</summary>
    public long ConvMultiplyAdds => _engine.ConvMultiplyAdds;

    /// <summary>Whether <see cref="Segment"/> is available (weights with the segmentation head).</summary>
    public bool HasSegmentation => _engine.HasSegmentation;

    /// <summary>
    /// Mattes one frame given as interleaved 8-bit RGB, <paramref name="width"/> x <paramref name="height"/>.
    /// <paramref name="downsampleRatio"/>: null = auto (network's longer side about 512 px), 1 = full resolution
    /// without the refiner (official ONNX files run it anyway). A frame of another size or ratio than the previous
    /// one starts from a fresh state.
    /// </summary>
    public MatteResult Process(ReadOnlySpan<byte> rgb24, int width, int height, double? downsampleRatio = null)
    {
        CheckFrame(rgb24, width, height);
        return _engine.Process(rgb24, width, height, downsampleRatio);
    }

    /// <summary>
    /// Mattes <paramref name="frames"/> consecutive frames in one network call (the official converter's
    /// <c>seq_chunk</c>): <paramref name="framesRgb24"/> holds them one after the other, each interleaved 8-bit RGB.
    /// Every layer but the ConvGRUs runs on the frames as one batch; the ConvGRUs step through them in order, so the
    /// results and the state afterwards equal <see cref="Process"/> on each frame in turn (to float rounding). Each
    /// chunk length gets its own session (a shorter last chunk included); the state carries over between them.
    /// ONNX files run the frames one by one.
    /// </summary>
    internal MatteChunk ProcessChunk(ReadOnlySpan<byte> framesRgb24, int frames, int width, int height, double? downsampleRatio = null)
    {
        CheckChunk(framesRgb24, frames, width, height);
        return _engine.ProcessChunk(framesRgb24, frames, width, height, downsampleRatio);
    }

    /// <summary>
    /// As <see cref="ProcessChunk"/>, with foreground and alpha converted to 8-bit pixels inside the network (where
    /// the conversion runs on all inference threads), for callers that encode them.
    /// </summary>
    internal MatteBytes ProcessChunkToBytes(ReadOnlySpan<byte> framesRgb24, int frames, int width, int height, double? downsampleRatio = null)
    {
        CheckChunk(framesRgb24, frames, width, height);
        return _engine.ProcessChunkToBytes(framesRgb24, frames, width, height, downsampleRatio);
    }

    /// <summary>
    /// The segmentation pass (the official <c>segmentation_pass=True</c>): the person-segmentation head instead of
    /// the matting head, on the same network and recurrent state as <see cref="Process"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The weights have no segmentation head (e.g. the TF.js model) or are an ONNX file.</exception>
    public SegmentationResult Segment(ReadOnlySpan<byte> rgb24, int width, int height, double? downsampleRatio = null)
    {
        CheckFrame(rgb24, width, height);
        return _engine.Segment(rgb24, width, height, downsampleRatio);
    }

    /// <summary>Forgets the recurrent state: the next frame is processed as the first of a new clip.</summary>
    public void Reset() => _engine.Reset();

    /// <summary>The recurrent state r1..r4 (NCHW) that the next frame of the current size will start from.</summary>
    internal ReadOnlySpan<float> RecurrentState(int index) => _engine.RecurrentState(index);

    internal RvmGeometry? CurrentGeometry => _engine.CurrentGeometry;

    private static void CheckFrame(ReadOnlySpan<byte> rgb24, int width, int height)
    {
        if (rgb24.Length != checked(width * height * 3))
            throw new ArgumentException($"frame of {width}x{height} needs {width * height * 3} RGB bytes, got {rgb24.Length}", nameof(rgb24));
    }

    private static void CheckChunk(ReadOnlySpan<byte> framesRgb24, int frames, int width, int height)
    {
        if (frames < 1) throw new ArgumentOutOfRangeException(nameof(frames), frames, "a chunk needs at least one frame");
        if (framesRgb24.Length != checked(frames * width * height * 3))
            throw new ArgumentException($"{frames} frames of {width}x{height} need {(long)frames * width * height * 3} RGB bytes, got {framesRgb24.Length}",
                nameof(framesRgb24));
    }

    internal static bool IsOnnxFile(string path)
        => File.Exists(path) && Media.InputFile.HasKindExtension(path, ".onnx");

    public void Dispose()
    {
        _engine.Dispose();
        _sessionOptions.Dispose();
    }
}
