using System.Diagnostics;
using MatteKit.Subjects;
using MatteKit.Tests.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace MatteKit.Tests.Subjects;

/// <summary>
/// BlazePose GHUM lite in MatteKit (the .tflite translated to ONNX, the crop and inverse warp in C#): the network
/// against TensorFlow.js run operator by operator on the same crop (Fixtures/pose, made by tools/pose-reference), and
/// the whole route (MoveNet, region, crop, network, warp back) on two people with exact truth.
/// </summary>
public sealed class PersonSegmenterTests
{
    private static readonly Lazy<PersonSegmenter> Segmenter = new(() => PersonSegmenter.Load(threads: 2));
    private readonly ITestOutputHelper _log;

    public PersonSegmenterTests(ITestOutputHelper log) => _log = log;

    private static string Fixture(string folder, string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", folder, name);

    /// <remarks>
    /// The region covering a 256x256 frame exactly crops it unchanged, so the network sees the fixture's pixels.
    /// Measured against TensorFlow.js: probabilities within 5.2e-4 (no pixel changes side of 0.5), landmarks within
    /// 7.6e-4 (x and y in crop pixels), the flag equal to 6 digits.
    /// </remarks>
    [Fact]
    public void NetworkMatchesTensorFlowJs()
    {
        const int s = PoseRoi.CropSide;
        var rgb = File.ReadAllBytes(Fixture("selfie", "input_256x256.rgb"));
        var crop = Segmenter.Value.Segment(rgb, s, s, new PoseRoi(s / 2f, s / 2f, s, 0));
        Assert.Equal(rgb, crop.Rgb);

        var logits = FloatFile.Read(Fixture("pose", "tfjs_ops_lite_segmentation.f32"));
        Assert.Equal(logits.Length, crop.Mask.Length);
        double worst = 0;
        int flipped = 0, person = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            double expected = 1 / (1 + Math.Exp(-logits[i]));
            worst = Math.Max(worst, Math.Abs(crop.Mask[i] - expected));
            if (crop.Mask[i] > 0.5 != expected > 0.5) flipped++;
            if (expected > 0.5) person++;
        }
        var landmarks = FloatFile.Read(Fixture("pose", "tfjs_ops_lite_landmarks.f32"));
        double worstLandmark = landmarks.Select((v, i) => (double)Math.Abs(v - crop.Landmarks[i])).Max();
        float flag = FloatFile.Read(Fixture("pose", "tfjs_ops_lite_flag.f32"))[0];
        _log.WriteLine($"probability max |diff| {worst:E2}, {flipped} of {person} person pixels changed side of 0.5; " +
            $"landmarks max |diff| {worstLandmark:E2}; flag {crop.Presence:0.000000} (tfjs {flag:0.000000}, |diff| {Math.Abs(crop.Presence - flag):E1})");
        Assert.True(worst < 2e-3, $"probabilities differ by {worst:E2}");
        Assert.True(flipped <= 3, $"{flipped} pixels changed side of 0.5");
        Assert.True(worstLandmark < 5e-3, $"landmarks differ by {worstLandmark:E2}");
        Assert.True(Math.Abs(crop.Presence - flag) < 1e-5, $"flag {crop.Presence}, tfjs {flag}");
        Assert.True(person > s * s / 10, "the fixture's crop shows a person");
    }

    /// <remarks>
    /// Two shared P3M cut-outs side by side (TwoPeopleClip, 640x360), each with exact truth: MoveNet finds them, each
    /// region is made from their keypoints, and each mask is compared with that person's truth; then again with the
    /// region the first pass's auxiliary landmarks give. Measured: IoU 0.969 and 0.971 (left), 0.977 and 0.979
    /// (right); mean probability over the other person at most 0.0001.
    /// </remarks>
    [Fact]
    public void EachPersonsMaskCoversThemAndNotTheOther()
    {
        using var dir = new TempFolder();
        var (_, frames) = TwoPeopleClip.Build(dir, 1);
        var frame = frames[0];
        int w = frame.Width, h = frame.Height;
        using var detector = PersonDetector.Load(threads: 2);
        var people = detector.Detect(frame.Rgb, w, h).Where(p => p.Score >= 0.25f).ToList();
        Assert.Equal(2, people.Count);
        foreach (var (truth, other, name) in new[] { (frame.LeftAlpha, frame.RightAlpha, "left"), (frame.RightAlpha, frame.LeftAlpha, "right") })
        {
            var (l, t, r, b) = TwoPeopleClip.Box(truth);
            float cx = (l + r) / 2f;
            var detection = people.OrderBy(p => Math.Abs(p.Box.CenterX - cx)).First();
            var roi = PoseRoi.FromDetection(detection);
            var crop = Segmenter.Value.Segment(frame.Rgb, w, h, roi);
            Check($"{name} (MoveNet {detection.Score:0.00})", crop);
            // The next frame's region, from the network's own auxiliary landmarks, as MediaPipe tracks.
            var next = PoseRoi.FromAuxiliaryLandmarks(crop);
            Assert.NotNull(next);
            Check($"{name} tracked", Segmenter.Value.Segment(frame.Rgb, w, h, next.Value));

            void Check(string what, PersonCrop crop)
            {
                var mask = new float[w * h];
                CropMask.Render(crop.Mask, crop.Roi, mask, w, h);
                int both = 0, either = 0, otherPixels = 0;
                double overOther = 0;
                for (int i = 0; i < w * h; i++)
                {
                    bool predicted = mask[i] > 0.5f, own = truth[i] > 127;
                    if (predicted && own) both++;
                    if (predicted || own) either++;
                    if (other[i] > 127 && !own)
                    {
                        otherPixels++;
                        overOther += mask[i];
                    }
                }
                double iou = both / (double)either, meanOverOther = overOther / otherPixels;
                var r = crop.Roi;
                _log.WriteLine($"{what}: region centre ({r.CenterX:0.0}, {r.CenterY:0.0}), side {r.Side:0.0}, rotation {r.Rotation:0.000}, flag {crop.Presence:0.000}; " +
                    $"IoU {iou:0.000}, mean over the other person {meanOverOther:0.0000}");
                Assert.True(iou >= 0.92, $"{what}: IoU {iou:0.000}");
                Assert.True(meanOverOther <= 0.02, $"{what}: mean {meanOverOther:0.0000} over the other person");
            }
        }
    }

    /// <remarks>
    /// Three people at once on two cores (two single-threaded sessions, then one): each crop as one call of
    /// <see cref="PersonSegmenter.Segment(ReadOnlySpan{byte}, int, int, PoseRoi, PersonCrop)"/> makes it, to float rounding
    /// (one thread or two inside a session sum in another order).
    /// </remarks>
    [Fact]
    public void PeopleSegmentedSideBySideGetTheirOwnMasks()
    {
        using var dir = new TempFolder();
        var (_, frames) = TwoPeopleClip.Build(dir, 1);
        var frame = frames[0];
        int w = frame.Width, h = frame.Height;
        var rois = new[] { new PoseRoi(w * 0.3f, h / 2f, h, 0), new PoseRoi(w * 0.7f, h / 2f, h, 0.1f), new PoseRoi(w / 2f, h / 2f, h * 0.8f, -0.2f) };
        var together = rois.Select(_ => PersonCrop.Blank()).ToList();
        using var segmenter = PersonSegmenter.Load(threads: 2);
        segmenter.SegmentAll(frame.Rgb, w, h, rois, together);
        for (int p = 0; p < rois.Length; p++)
        {
            var alone = Segmenter.Value.Segment(frame.Rgb, w, h, rois[p]);
            double worst = alone.Mask.Select((v, i) => (double)Math.Abs(v - together[p].Mask[i])).Max();
            _log.WriteLine($"person {p}: max |diff| {worst:E1} against one call, flag {together[p].Presence:0.000}");
            Assert.Equal(alone.Rgb, together[p].Rgb);
            Assert.Equal(rois[p], together[p].Roi);
            Assert.True(worst < 1e-4, $"person {p}: masks differ by {worst:E1}");
            Assert.Equal(alone.Presence, together[p].Presence, 4);
        }
        Assert.Throws<ArgumentException>(() => segmenter.SegmentAll(frame.Rgb, w, h, rois, together.Take(2).ToList()));
        Assert.Throws<ArgumentException>(() => segmenter.SegmentAll(frame.Rgb, w, h, new[] { rois[0], new PoseRoi(5, 4, 0, 0) }, together.Take(2).ToList()));
    }

    [Fact]
    public void BadFramesAndRegionsAreRefused()
    {
        var rgb = new byte[10 * 8 * 3];
        Assert.Throws<ArgumentException>(() => Segmenter.Value.Segment(rgb, 10, 9, new PoseRoi(5, 4, 8, 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Segmenter.Value.Segment(rgb, 0, 8, new PoseRoi(5, 4, 8, 0)));
        Assert.Throws<ArgumentException>(() => Segmenter.Value.Segment(rgb, 10, 8, new PoseRoi(5, 4, 0, 0)));
        Assert.Throws<ArgumentException>(() => Segmenter.Value.Segment(rgb, 10, 8, new PoseRoi(5, float.NaN, 8, 0)));
    }

    [Fact]
    public void RegionsBeyondTheFrameRepeatItsEdge()
    {
        // A 4x2 frame; a region far larger than it: every crop pixel is one of the frame's colours or between them.
        var rgb = new byte[] { 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200, 210, 220, 230, 240 };
        var crop = Segmenter.Value.Segment(rgb, 4, 2, new PoseRoi(2, 1, 400, 0.3f));
        Assert.Equal(rgb[0], crop.Rgb[0]);
        Assert.Equal(rgb[^1], crop.Rgb[^1]);
        Assert.All(crop.Rgb, v => Assert.InRange(v, (byte)10, (byte)240));
    }

    /// <summary>
    /// Every clip (relu6) in the translated graph follows a convolution, into which ONNX Runtime fuses it in its blocked
    /// layout: a clip after an Add (the residual blocks of the segmentation head) took each block out of that layout and
    /// back (bench subject --profile: 3 ms of reorders in 12 ms a person).
    /// </summary>
    [Fact]
    public void EveryClipFollowsAConvolution()
    {
        var graph = MatteKit.Onnx.Protobuf.ModelProto.Parser.ParseFrom(PersonSegmenter.Graph().OnnxBytes).Graph;
        var producer = graph.Node.SelectMany(n => n.Output.Select(o => (o, n.OpType))).ToDictionary(p => p.o, p => p.OpType);
        var clips = graph.Node.Where(n => n.OpType == "Clip").Select(n => producer.GetValueOrDefault(n.Input[0], "an input")).ToList();
        _log.WriteLine($"{clips.Count} clips, after: {string.Join(", ", clips.GroupBy(p => p).Select(g => $"{g.Key} {g.Count()}"))}");
        Assert.NotEmpty(clips);
        Assert.All(clips, p => Assert.Equal("Conv", p));
    }

    /// <summary>
    /// Not a check: prints the time of one person's Segment (crop and network), of its crop alone and of one Render
    /// at two frame sizes.
    /// </summary>
    [Fact]
    public void PrintsTimings()
    {
        foreach (var (w, h) in new[] { (640, 360), (1280, 720) })
        {
            var rgb = new byte[w * h * 3];
            new Random(1).NextBytes(rgb);
            // A standing person's region: a little taller than the frame, slightly turned.
            var roi = new PoseRoi(w / 2f, h / 2f, h * 1.2f, 0.1f);
            var crop = Segmenter.Value.Segment(rgb, w, h, roi);
            var mask = new float[w * h];
            CropMask.Render(crop.Mask, roi, mask, w, h);
            const int runs = 20;
            var segment = new double[runs];
            var cropOnly = new double[runs];
            var render = new double[runs];
            var cropRgb = new byte[PoseRoi.CropSide * PoseRoi.CropSide * 3];
            for (int i = 0; i < runs; i++)
            {
                var clock = Stopwatch.StartNew();
                crop = Segmenter.Value.Segment(rgb, w, h, roi);
                segment[i] = clock.Elapsed.TotalMilliseconds;
                clock.Restart();
                CropMask.Render(crop.Mask, roi, mask, w, h);
                render[i] = clock.Elapsed.TotalMilliseconds;
                clock.Restart();
                RoiCrop.Sample(rgb, w, h, roi, cropRgb);
                cropOnly[i] = clock.Elapsed.TotalMilliseconds;
            }
            _log.WriteLine($"{w}x{h}, region side {roi.Side:0}: Segment median {Median(segment):0.00} ms (min {segment.Min():0.00}; its crop {Median(cropOnly):0.00} ms), Render median {Median(render):0.00} ms (min {render.Min():0.00})");
        }
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
