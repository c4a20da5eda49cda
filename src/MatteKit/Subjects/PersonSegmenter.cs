using System.Reflection;
using MatteKit.Inference;
using MatteKit.Weights;
using Microsoft.ML.OnnxRuntime;

namespace MatteKit.Subjects;

/// <summary>
/// One person's segmentation from MediaPipe's BlazePose GHUM lite landmark model (embedded, Apache-2.0): the frame
/// under a <see cref="PoseRoi"/> is cropped here (<see cref="RoiCrop"/>), the network runs in one ONNX Runtime
/// session of <see cref="PoseLandmarkGraph"/> with its buffers bound once, and the mask, pose flag and landmarks
/// come back in crop space (<see cref="CropMask"/> brings the mask to the frame). One call per person; not thread-safe.
/// </summary>
internal sealed class PersonSegmenter : IDisposable
{
    private const string EmbeddedName = "MatteKit.Models.blazepose_ghum.pose_landmark_lite.tflite";
    private static readonly Lazy<TfliteModel> Embedded = new(ReadEmbedded);

    private readonly SessionOptions _options;
    private readonly BoundSession _session;
    private readonly byte[] _crop;
    private readonly byte[] _planes;
    private readonly float[] _mask;
    private readonly float[] _flag;
    private readonly float[] _landmarks;

    private PersonSegmenter(TfliteModel model, int threads)
    {
        var graph = PoseLandmarkGraph.Build(model);
        ConvMultiplyAdds = graph.ConvMultiplyAdds;
        _options = OrtSessionOptions.Create(threads, spinWhileIdle: false);
        try
        {
            _session = BoundSession.FromGraph(graph.OnnxBytes, _options);
        }
        catch
        {
            _options.Dispose();
            throw;
        }
        try
        {
            const int side = PoseRoi.CropSide;
            _crop = new byte[side * side * 3];
            _planes = _session.BindInput<byte>("crop", 1, 3, side, side);
            _mask = _session.BindOutput<float>("mask", 1, 1, side, side);
            _flag = _session.BindOutput<float>("flag", 1, 1);
            _landmarks = _session.BindOutput<float>("landmarks", 1, PoseLandmarkGraph.Landmarks * PoseLandmarkGraph.LandmarkValues);
        }
        catch
        {
            Dispose();
            throw;
        }
        ModelSource = model.Source;
    }

    /// <summary>The embedded lite model.</summary>
    /// <param name="threads">Threads ONNX Runtime may use; 0 = one per core.</param>
    public static PersonSegmenter Load(int threads = 0) => new(Embedded.Value, threads);

    public string ModelSource { get; }

    /// <summary>Multiply-adds of the network's convolutions for one person.</summary>
    public long ConvMultiplyAdds { get; }

    /// <summary>The person under <paramref name="roi"/> in one frame (interleaved RGB).</summary>
    /// <exception cref="ArgumentException">The frame's bytes do not match its size, or the region is not finite or has no area.</exception>
    public PersonCrop Segment(ReadOnlySpan<byte> rgb24, int width, int height, PoseRoi roi)
    {
        var crop = PersonCrop.Blank();
        Segment(rgb24, width, height, roi, crop);
        return crop;
    }

    /// <summary>As <see cref="Segment(ReadOnlySpan{byte}, int, int, PoseRoi)"/>, into <paramref name="into"/>: a crop's arrays are large enough to be worth reusing frame after frame.</summary>
    public void Segment(ReadOnlySpan<byte> rgb24, int width, int height, PoseRoi roi, PersonCrop into)
    {
        if (width < 1 || height < 1) throw new ArgumentOutOfRangeException(nameof(width), $"frame of {width}x{height}");
        if (rgb24.Length != (long)width * height * 3)
            throw new ArgumentException($"frame of {width}x{height} needs {(long)width * height * 3} RGB bytes, got {rgb24.Length}", nameof(rgb24));
        roi.Validate(nameof(roi));
        RoiCrop.Sample(rgb24, width, height, roi, _crop);
        RgbPlanes.Split(_crop, _planes);
        _session.Run();
        into.Fill(roi, _mask, _crop, _flag[0], _landmarks);
    }

    public void Dispose()
    {
        _session.Dispose();
        _options.Dispose();
    }

    private static TfliteModel ReadEmbedded()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(EmbeddedName)
            ?? throw new InvalidOperationException($"embedded model {EmbeddedName} is missing from the assembly");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return TfliteModel.Read(bytes, "embedded:mediapipe/pose_landmark_lite.tflite");
    }
}
