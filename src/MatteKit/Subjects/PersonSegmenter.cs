using System.Reflection;
using MatteKit.Inference;
using MatteKit.Weights;
using Microsoft.ML.OnnxRuntime;

namespace MatteKit.Subjects;

/// <summary>
/// People's segmentation from MediaPipe's BlazePose GHUM lite landmark model (embedded, Apache-2.0): the frame under
/// a <see cref="PoseRoi"/> is cropped here (<see cref="RoiCrop"/>), the network runs in an ONNX Runtime session of
/// <see cref="PoseLandmarkGraph"/> with its buffers bound once, and the mask, pose flag and landmarks come back in
/// crop space (<see cref="CropMask"/> brings the mask to the frame). Several people of one frame are segmented side by
/// side, one single-threaded session each (<see cref="SegmentAll"/>): the model's operators are small (a 256-pixel
/// crop), and two threads inside one of them gained a tenth of its time where two people at once gained a third
/// (<c>bench subject</c>). Not thread-safe.
/// </summary>
internal sealed class PersonSegmenter : IDisposable
{
    private const string EmbeddedName = "MatteKit.Models.blazepose_ghum.pose_landmark_lite.tflite";
    private static readonly Lazy<TfliteModel> Embedded = new(ReadEmbedded);

    /// <summary>At most this many people are segmented at once (a session each, made when first needed).</summary>
    public const int MaxSideBySide = 4;

    private readonly byte[] _graph;
    private readonly SessionOptions _options;
    private readonly Lane _lane;
    // Single-threaded lanes for people segmented side by side, one a core up to MaxSideBySide; empty on one core.
    private readonly SessionOptions? _sideBySideOptions;
    private readonly Lane?[] _sideBySide;

    private PersonSegmenter(TfliteModel model, int threads)
    {
        var graph = PoseLandmarkGraph.Build(model);
        _graph = graph.OnnxBytes;
        ConvMultiplyAdds = graph.ConvMultiplyAdds;
        _options = OrtSessionOptions.Create(threads, spinWhileIdle: false);
        try
        {
            _lane = new Lane(_graph, _options);
            int cores = Math.Min(threads == 0 ? Environment.ProcessorCount : threads, Environment.ProcessorCount);
            _sideBySide = new Lane?[cores >= 2 ? Math.Min(cores, MaxSideBySide) : 0];
            if (_sideBySide.Length > 0) _sideBySideOptions = OrtSessionOptions.Create(1, spinWhileIdle: false);
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

    /// <summary>The embedded lite model's graph (the benchmark profiles it).</summary>
    internal static Layers.ModelGraph Graph() => PoseLandmarkGraph.Build(Embedded.Value);

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
        CheckFrame(rgb24, width, height);
        roi.Validate(nameof(roi));
        _lane.Crop(rgb24, width, height, roi);
        _lane.Run();
        _lane.Fill(roi, into);
    }

    /// <summary>
    /// The people under <paramref name="rois"/> in one frame, each into the crop at the same index, side by side when
    /// there are several and more than one core; the same crops as <see cref="Segment(ReadOnlySpan{byte}, int, int, PoseRoi, PersonCrop)"/> one by one.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="Segment(ReadOnlySpan{byte}, int, int, PoseRoi)"/>, or the lists differ in length.</exception>
    public void SegmentAll(ReadOnlySpan<byte> rgb24, int width, int height, IReadOnlyList<PoseRoi> rois, IReadOnlyList<PersonCrop> into)
    {
        if (rois.Count != into.Count) throw new ArgumentException($"{rois.Count} regions and {into.Count} crops", nameof(into));
        CheckFrame(rgb24, width, height);
        foreach (var roi in rois) roi.Validate(nameof(rois));
        if (rois.Count < 2 || _sideBySide.Length < 2)
        {
            for (int i = 0; i < rois.Count; i++) Segment(rgb24, width, height, rois[i], into[i]);
            return;
        }
        // The crops are cut here, one after another (they read the caller's frame); the networks then run at once.
        for (int start = 0; start < rois.Count; start += _sideBySide.Length)
        {
            int count = Math.Min(_sideBySide.Length, rois.Count - start);
            for (int i = 0; i < count; i++)
            {
                var lane = _sideBySide[i] ??= new Lane(_graph, _sideBySideOptions!);
                lane.Crop(rgb24, width, height, rois[start + i]);
            }
            try
            {
                Parallel.For(0, count, i => _sideBySide[i]!.Run());
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            }
            for (int i = 0; i < count; i++) _sideBySide[i]!.Fill(rois[start + i], into[start + i]);
        }
    }

    private static void CheckFrame(ReadOnlySpan<byte> rgb24, int width, int height)
    {
        if (width < 1 || height < 1) throw new ArgumentOutOfRangeException(nameof(width), $"frame of {width}x{height}");
        if (rgb24.Length != (long)width * height * 3)
            throw new ArgumentException($"frame of {width}x{height} needs {(long)width * height * 3} RGB bytes, got {rgb24.Length}", nameof(rgb24));
    }

    public void Dispose()
    {
        _lane?.Dispose();
        if (_sideBySide is not null)
            foreach (var lane in _sideBySide) lane?.Dispose();
        _sideBySideOptions?.Dispose();
        _options.Dispose();
    }

    /// <summary>One session of the model with its input and outputs bound to arrays, and the crop it reads.</summary>
    private sealed class Lane : IDisposable
    {
        private readonly BoundSession _session;
        private readonly byte[] _crop;
        private readonly byte[] _planes;
        private readonly float[] _mask;
        private readonly float[] _flag;
        private readonly float[] _landmarks;

        public Lane(byte[] graph, SessionOptions options)
        {
            _session = BoundSession.FromGraph(graph, options);
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
                _session.Dispose();
                throw;
            }
        }

        public void Crop(ReadOnlySpan<byte> rgb24, int width, int height, PoseRoi roi)
        {
            RoiCrop.Sample(rgb24, width, height, roi, _crop);
            RgbPlanes.Split(_crop, _planes);
        }

        public void Run() => _session.Run();

        public void Fill(PoseRoi roi, PersonCrop into) => into.Fill(roi, _mask, _crop, _flag[0], _landmarks);

        public void Dispose() => _session.Dispose();
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
