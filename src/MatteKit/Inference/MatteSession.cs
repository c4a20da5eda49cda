using MatteKit.Onnx;
using MatteKit.Rvm;
using Microsoft.ML.OnnxRuntime;

namespace MatteKit.Inference;

/// <summary>
/// One ONNX Runtime session for one frame size, ratio, pass, output kind and number of frames per call, with every
/// input and output bound (through a <see cref="BoundSession"/>) to buffers allocated once: the frames' bytes (as
/// R, G and B planes), the pass's results (the 4-channel matte as floats, foreground and alpha as bytes, or seg
/// logits and probability), and two sets of recurrent states that swap roles each call (this call's outputs are
/// the next call's inputs, without copying).
/// </summary>
internal sealed class MatteSession : IDisposable
{
    private static readonly string[] StateInputNames = { "r1i", "r2i", "r3i", "r4i" };
    private static readonly string[] StateOutputNames = { "r1o", "r2o", "r3o", "r4o" };

    private readonly BoundSession _session;
    private readonly byte[] _source;
    private readonly Array[] _results;
    private readonly FedBackBuffers[] _states = new FedBackBuffers[4];

    public MatteSession(RvmNetwork network, RvmGeometry geometry, NetworkPass pass, MatteOutputs outputs, int frames, SessionOptions options,
        Int8Quantization? int8 = null)
    {
        Geometry = geometry;
        Pass = pass;
        Outputs = outputs;
        Frames = frames;
        var graph = RvmGraph.Build(network, geometry, SourceFormat.PlanarBytes, pass, frames, outputs, int8);
        ConvMultiplyAdds = graph.ConvMultiplyAdds;
        _session = BoundSession.FromGraph(graph.OnnxBytes, options);
        try
        {
            int w = geometry.FrameWidth, h = geometry.FrameHeight;
            _source = _session.BindInput<byte>("src", frames, 3, h, w);
            if (pass == NetworkPass.Segmentation)
                _results = new Array[]
                {
                    _session.BindOutput<float>("seg", frames, 1, geometry.NetworkHeight, geometry.NetworkWidth),
                    _session.BindOutput<float>("seg_probability", frames, 1, h, w),
                };
            else if (outputs == MatteOutputs.Bytes)
                _results = new Array[]
                {
                    _session.BindOutput<byte>("fgr", frames, h, w, 3),
                    _session.BindOutput<byte>("pha", frames, 1, h, w),
                };
            else if (outputs == MatteOutputs.Combined)
                _results = new Array[] { _session.BindOutput<float>("matte", frames, 4, h, w) };
            else
                throw new ArgumentOutOfRangeException(nameof(outputs), outputs, "sessions hand out the matte combined or as bytes");
            for (int i = 0; i < 4; i++)
                _states[i] = _session.BindFedBack(StateInputNames[i], StateOutputNames[i], geometry.StateShapes[i].Select(d => (long)d).ToArray());
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    public RvmGeometry Geometry { get; }
    public NetworkPass Pass { get; }
    public MatteOutputs Outputs { get; }

    /// <summary>Frames per call (T).</summary>
    public int Frames { get; }
    public long ConvMultiplyAdds { get; }

    /// <summary>
    /// Float results, frame after frame: matting (combined) has one, the matte [4, H, W] per frame; segmentation has
    /// the logits at network resolution (0) and the probability map at frame resolution (1).
    /// </summary>
    public ReadOnlySpan<float> FloatResult(int index) => (float[])_results[index];

    /// <summary>Byte results of matting, frame after frame: interleaved RGB foreground (0) and alpha (1).</summary>
    public ReadOnlySpan<byte> ByteResult(int index) => (byte[])_results[index];

    /// <summary>The recurrent state the next frame will start from (r1..r4).</summary>
    public ReadOnlySpan<float> State(int index) => _states[index].Current;

    /// <param name="rgb24">The call's frames, one after the other, interleaved RGB.</param>
    public void Run(ReadOnlySpan<byte> rgb24)
    {
        int frameBytes = _source.Length / Frames;
        for (int f = 0; f < Frames; f++)
            RgbPlanes.Split(rgb24.Slice(f * frameBytes, frameBytes), _source.AsSpan(f * frameBytes, frameBytes));
        _session.Run();
    }

    public void ResetState()
    {
        foreach (var s in _states) Array.Clear(s.Current);
    }

    /// <summary>Continues from another session's state (same geometry, other pass or frames per call): they share the recurrence.</summary>
    public void CopyStateFrom(MatteSession other)
    {
        for (int i = 0; i < 4; i++) other.State(i).CopyTo(_states[i].Current);
    }

    public void Dispose() => _session.Dispose();
}
