using System.Globalization;
using System.Runtime.InteropServices;
using MatteKit.Rvm;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MatteKit.Inference;

/// <summary>
/// Runs an RVM ONNX file as it is: the official exports (inputs <c>src, r1i..r4i, downsample_ratio</c>, dynamic
/// sizes, float32 or float16) or a file <c>mattekit export-onnx</c> wrote (static sizes, the ratio fixed and
/// recorded in the metadata). Float16 files get float16 frames and states; conversion happens here, at the
/// boundary. The official exports always resize by the ratio and always run their refiner, also at ratio 1.
/// </summary>
internal sealed class OnnxFileEngine : IMatteEngine
{
    private const string RatioMetadataKey = Rvm.RvmOnnxExport.RatioMetadataKey;
    private const string SourceInput = "src";
    private const string RatioInput = "downsample_ratio";
    private static readonly string[] StateInputs = { "r1i", "r2i", "r3i", "r4i" };
    private static readonly string[] OutputNames = { "fgr", "pha", "r1o", "r2o", "r3o", "r4o" };

    private readonly BoundSession _session;
    private readonly string _path;
    private readonly bool _half;
    private readonly bool _hasRatioInput;
    private readonly double? _fixedRatio;
    private readonly int[] _sourceDims;
    private readonly int[][] _stateDims = new int[4][];
    private readonly float[][] _stateCopies = new float[4][];
    private readonly float[] _ratio = Array.Empty<float>();
    private float[] _foreground = Array.Empty<float>();
    private float[] _alpha = Array.Empty<float>();
    private float[] _chunkMatte = Array.Empty<float>();
    private byte[] _chunkForegroundBytes = Array.Empty<byte>();
    private byte[] _chunkAlphaBytes = Array.Empty<byte>();
    private (int W, int H, double Ratio)? _size;

    public OnnxFileEngine(string path, SessionOptions options)
    {
        _path = path;
        if (!File.Exists(path)) throw new WeightsFormatException(path, "file not found");
        try
        {
            _session = BoundSession.FromFile(path, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new WeightsFormatException(path, $"ONNX Runtime cannot load it: {FirstLine(e.Message)}");
        }
        try
        {
            var inputs = _session.InputMetadata;
            foreach (var name in new[] { SourceInput }.Concat(StateInputs))
                if (!inputs.ContainsKey(name))
                    throw new WeightsFormatException(path, $"not an RVM ONNX model: input '{name}' is missing (expected src, r1i..r4i, downsample_ratio)");
            foreach (var name in OutputNames)
                if (!_session.OutputMetadata.ContainsKey(name))
                    throw new WeightsFormatException(path, $"not an RVM ONNX model: output '{name}' is missing (expected fgr, pha, r1o..r4o)");
            var type = inputs[SourceInput].ElementDataType;
            if (type != TensorElementType.Float && type != TensorElementType.Float16)
                throw new WeightsFormatException(path, $"input 'src' is {type}; float32 or float16 was expected");
            _half = type == TensorElementType.Float16;
            _sourceDims = inputs[SourceInput].Dimensions;
            if (_sourceDims.Length != 4)
                throw new WeightsFormatException(path, $"input 'src' has rank {_sourceDims.Length}, expected [1, 3, H, W]");
            for (int i = 0; i < 4; i++) _stateDims[i] = inputs[StateInputs[i]].Dimensions;
            _hasRatioInput = inputs.ContainsKey(RatioInput);
            if (!_hasRatioInput)
            {
                if (!_session.ModelMetadata.CustomMetadataMap.TryGetValue(RatioMetadataKey, out var text) ||
                    !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double fixedRatio))
                    throw new WeightsFormatException(path, $"has no '{RatioInput}' input and no '{RatioMetadataKey}' metadata: the ratio it was built for is unknown");
                _fixedRatio = fixedRatio;
            }
            foreach (var name in OutputNames.Take(2)) _session.AllocateOutput(name);
            if (_hasRatioInput) _ratio = _session.BindInput<float>(RatioInput, 1);
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    public string Source => _path;

    /// <summary>Whether frames and states are float16.</summary>
    public bool IsFloat16 => _half;

    public RvmGeometry? CurrentGeometry { get; private set; }

    /// <summary>RVM's ONNX exports have no segmentation head.</summary>
    public bool HasSegmentation => false;

    public long ConvMultiplyAdds => 0;

    public MatteResult Process(ReadOnlySpan<byte> rgb24, int width, int height, double? downsampleRatio)
    {
        double ratio = ResolveRatio(width, height, downsampleRatio);
        if (_size != (width, height, ratio)) StartSize(width, height, ratio);
        FillSource(rgb24, width * height);
        if (_hasRatioInput) _ratio[0] = (float)ratio;

        _session.Run();
        CopyOut(_session.Output(OutputNames[0]), _foreground);
        CopyOut(_session.Output(OutputNames[1]), _alpha);
        if (CurrentGeometry is null || CurrentGeometry.StateShapes[0][1] != StateChannel(0))
            CurrentGeometry = new RvmGeometry(width, height, ratio, Enumerable.Range(0, 4).Select(StateChannel).ToArray());
        Array.Clear(_stateCopies);
        return new MatteResult(width, height, ratio, _foreground, _alpha);
    }

    /// <summary>The files take one frame per call (the official exports' time axis is fixed at 1), so frame by frame.</summary>
    public MatteChunk ProcessChunk(ReadOnlySpan<byte> framesRgb24, int frames, int width, int height, double? downsampleRatio)
    {
        int plane = width * height;
        if (_chunkMatte.Length != frames * 4 * plane) _chunkMatte = new float[frames * 4 * plane];
        double ratio = 0;
        for (int t = 0; t < frames; t++)
        {
            var result = Process(framesRgb24.Slice(t * 3 * plane, 3 * plane), width, height, downsampleRatio);
            result.Foreground.CopyTo(_chunkMatte.AsSpan(t * 4 * plane));
            result.Alpha.CopyTo(_chunkMatte.AsSpan((t * 4 + 3) * plane));
            ratio = result.DownsampleRatio;
        }
        return new MatteChunk(frames, width, height, ratio, _chunkMatte);
    }

    /// <summary>The files give floats; they are converted here, frame by frame.</summary>
    public MatteBytes ProcessChunkToBytes(ReadOnlySpan<byte> framesRgb24, int frames, int width, int height, double? downsampleRatio)
    {
        int plane = width * height;
        if (_chunkAlphaBytes.Length != frames * plane)
        {
            _chunkForegroundBytes = new byte[frames * 3 * plane];
            _chunkAlphaBytes = new byte[frames * plane];
        }
        double ratio = 0;
        for (int t = 0; t < frames; t++)
        {
            var result = Process(framesRgb24.Slice(t * 3 * plane, 3 * plane), width, height, downsampleRatio);
            result.ForegroundToRgb24(_chunkForegroundBytes.AsSpan(t * 3 * plane, 3 * plane));
            result.AlphaToGray8(_chunkAlphaBytes.AsSpan(t * plane, plane));
            ratio = result.DownsampleRatio;
        }
        return new MatteBytes(frames, width, height, ratio, _chunkForegroundBytes, _chunkAlphaBytes);
    }

    public SegmentationResult Segment(ReadOnlySpan<byte> rgb24, int width, int height, double? downsampleRatio)
        => throw new ArgumentException($"{_path}: ONNX files have no segmentation output (the official exporter writes the matting outputs only); " +
            "use the PyTorch .pth for the segmentation pass");

    public void Reset()
    {
        if (_size is { } s) StartSize(s.W, s.H, s.Ratio);
    }

    public ReadOnlySpan<float> RecurrentState(int index)
    {
        if (_size is null) return ReadOnlySpan<float>.Empty;
        if (_stateCopies[index] is null)
        {
            var state = _session.Input(StateInputs[index]);
            long count = state.GetTensorTypeAndShape().ElementCount;
            _stateCopies[index] = new float[count];
            CopyOut(state, _stateCopies[index]);
        }
        return _stateCopies[index];
    }

    private double ResolveRatio(int width, int height, double? requested)
    {
        if (_sourceDims[2] > 0 && _sourceDims[3] > 0 && (_sourceDims[2] != height || _sourceDims[3] != width))
            throw new ArgumentException($"{_path}: built for {_sourceDims[3]}x{_sourceDims[2]} frames, got {width}x{height}");
        if (_fixedRatio is { } fixedRatio)
        {
            if (requested is { } r && r != fixedRatio)
                throw new ArgumentException($"{_path}: built for downsample ratio {fixedRatio.ToString(CultureInfo.InvariantCulture)}, " +
                    $"asked for {r.ToString(CultureInfo.InvariantCulture)}");
            return fixedRatio;
        }
        return requested ?? RvmGeometry.AutoRatio(width, height);
    }

    /// <summary>New frame size or ratio: buffers for it and zero states (the official first-frame input).</summary>
    private void StartSize(int width, int height, double ratio)
    {
        _session.BindInput(SourceInput, ElementType, 1, 3, height, width);
        // Each state output is the next frame's state input, as ONNX Runtime allocated it (its shape is known only then).
        for (int i = 0; i < 4; i++)
        {
            // Dynamic state inputs take [1,1,1,1] zeros that broadcast; a static file needs zeros of its declared shape.
            var dims = _stateDims[i].Select(d => d > 0 ? (long)d : 1L).ToArray();
            _session.BindFedBack(StateInputs[i], OutputNames[2 + i], ElementType, dims);
        }
        Array.Clear(_stateCopies);
        if (_foreground.Length != 3 * width * height)
        {
            _foreground = new float[3 * width * height];
            _alpha = new float[width * height];
        }
        _size = (width, height, ratio);
        CurrentGeometry = null;
    }

    private TensorElementType ElementType => _half ? TensorElementType.Float16 : TensorElementType.Float;

    private void FillSource(ReadOnlySpan<byte> rgb24, int plane)
    {
        var raw = _session.Input(SourceInput).GetTensorMutableRawData();
        if (_half)
        {
            var dst = MemoryMarshal.Cast<byte, Half>(raw);
            for (int p = 0; p < plane; p++)
                for (int c = 0; c < 3; c++) dst[c * plane + p] = (Half)(rgb24[3 * p + c] / 255f);
        }
        else
        {
            var dst = MemoryMarshal.Cast<byte, float>(raw);
            for (int p = 0; p < plane; p++)
                for (int c = 0; c < 3; c++) dst[c * plane + p] = rgb24[3 * p + c] / 255f;
        }
    }

    private int StateChannel(int index) => (int)_session.Input(StateInputs[index]).GetTensorTypeAndShape().Shape[1];

    private void CopyOut(OrtValue value, float[] destination)
    {
        var info = value.GetTensorTypeAndShape();
        if (info.ElementCount != destination.Length)
            throw new InvalidOperationException($"{_path}: output has {info.ElementCount} values, expected {destination.Length}");
        var raw = value.GetTensorMutableRawData();
        if (info.ElementDataType == TensorElementType.Float16)
        {
            var src = MemoryMarshal.Cast<byte, Half>(raw);
            for (int i = 0; i < destination.Length; i++) destination[i] = (float)src[i];
        }
        else
        {
            MemoryMarshal.Cast<byte, float>(raw).CopyTo(destination);
        }
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();

    public void Dispose() => _session.Dispose();
}
