using MatteKit.Inference;
using MatteKit.Weights;
using Microsoft.ML.OnnxRuntime;

namespace MatteKit.Subjects;

/// <summary>
/// Finds up to six people in a frame with MoveNet MultiPose Lightning (embedded, Apache-2.0): box, score and 17
/// keypoints each, in frame pixels. The network runs in MatteKit's ONNX graph (one session per frame size, reused);
/// the decoding runs here.
/// </summary>
internal sealed class PersonDetector : IDisposable
{
    private const string EmbeddedPrefix = "MatteKit.Models.movenet_multipose.";
    private static readonly Lazy<TfjsGraph> Embedded = new(() => TfjsGraph.ReadEmbedded(EmbeddedPrefix, "movenet-multipose.json"));

    private readonly TfjsGraph _graph;
    private readonly SessionOptions _options;
    private readonly SessionCache<Session> _sessions = new(2);

    private PersonDetector(TfjsGraph graph, int threads)
    {
        _graph = graph;
        _options = OrtSessionOptions.Create(threads, spinWhileIdle: false);
    }

    /// <param name="threads">Threads ONNX Runtime may use; 0 = one per core.</param>
    public static PersonDetector Load(int threads = 0) => new(Embedded.Value, threads);

    public string ModelSource => _graph.Source;

    /// <summary>The embedded network's graph for frames of one size (the benchmark profiles it).</summary>
    internal static Layers.ModelGraph Graph(int width, int height) => MoveNetGraph.Build(Embedded.Value, width, height, MoveNetInput.For(width, height));

    /// <summary>The people in one frame (interleaved RGB), best first; the list may hold low scores (filter on <see cref="PersonDetection.Score"/>).</summary>
    public IReadOnlyList<PersonDetection> Detect(ReadOnlySpan<byte> rgb24, int width, int height)
    {
        if (width < 1 || height < 1) throw new ArgumentOutOfRangeException(nameof(width), $"frame of {width}x{height}");
        if (rgb24.Length != (long)width * height * 3)
            throw new ArgumentException($"frame of {width}x{height} needs {(long)width * height * 3} RGB bytes, got {rgb24.Length}", nameof(rgb24));
        return SessionFor(width, height).Run(rgb24);
    }

    /// <summary>The network's raw heads for one frame (tests compare them with TensorFlow.js).</summary>
    internal MoveNetHeads Heads(ReadOnlySpan<byte> rgb24, int width, int height)
    {
        var session = SessionFor(width, height);
        session.Run(rgb24);
        return session.Heads;
    }

    private Session SessionFor(int width, int height)
        => _sessions.Get(s => s.Width == width && s.Height == height, () => new Session(_graph, width, height, _options));

    public void Dispose()
    {
        _sessions.Dispose();
        _options.Dispose();
    }

    private sealed class Session : IDisposable
    {
        private readonly BoundSession _session;
        private readonly byte[] _source;
        private readonly MoveNetInput _input;

        public Session(TfjsGraph graph, int width, int height, SessionOptions options)
        {
            Width = width;
            Height = height;
            _input = MoveNetInput.For(width, height);
            _session = BoundSession.FromGraph(MoveNetGraph.Build(graph, width, height, _input).OnnxBytes, options);
            try
            {
                _source = _session.BindInput<byte>("src", 1, 3, height, width);
                Heads = new MoveNetHeads(_input.Width / 4, _input.Height / 4);
                var channels = new[] { 1, MoveNetHeads.Keypoints, 2 * MoveNetHeads.Keypoints, 2 * MoveNetHeads.Keypoints, 2, 2 };
                var buffers = Heads.All;
                for (int i = 0; i < buffers.Length; i++)
                    _session.BindOutput(MoveNetGraph.Heads[i].Output, buffers[i], 1, channels[i], Heads.Height, Heads.Width);
            }
            catch
            {
                _session.Dispose();
                throw;
            }
        }

        public int Width { get; }
        public int Height { get; }
        public MoveNetHeads Heads { get; }

        public List<PersonDetection> Run(ReadOnlySpan<byte> rgb24)
        {
            RgbPlanes.Split(rgb24, _source);
            _session.Run();
            return MoveNetDecoder.Decode(Heads, (double)_input.ScaledWidth / Width, (double)_input.ScaledHeight / Height);
        }

        public void Dispose() => _session.Dispose();
    }
}
