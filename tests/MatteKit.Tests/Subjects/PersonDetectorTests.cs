using MatteKit.Subjects;
using MatteKit.Tests.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace MatteKit.Tests.Subjects;

/// <summary>
/// MoveNet MultiPose in MatteKit (the network translated from its TF.js graph, the decoding in C#) against the same
/// graph run whole by TensorFlow.js on the same input (Fixtures/movenet, made by tools/movenet-reference). Measured:
/// centre head within 2.1e-6, boxes and keypoints within 1e-4 px, scores within 1.5e-6.
/// </summary>
public sealed class PersonDetectorTests
{
    private static readonly Lazy<PersonDetector> Detector = new(() => PersonDetector.Load(threads: 2));
    private readonly ITestOutputHelper _log;

    public PersonDetectorTests(ITestOutputHelper log) => _log = log;

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "movenet", name);

    [Theory]
    [InlineData("kids")]
    [InlineData("street")]
    public void CentreHeadAndDecodedPeopleMatchTensorFlowJs(string name)
    {
        var rgb = File.ReadAllBytes(Fixture($"{name}_256x256.rgb"));
        var heads = Detector.Value.Heads(rgb, 256, 256);
        var center = FloatFile.Read(Fixture($"{name}_center.f32"));
        double headMax = center.Select((v, i) => Math.Abs(v - heads.Center[i])).Max();
        _log.WriteLine($"{name}: centre head max |diff| {headMax:E2}");
        Assert.True(headMax < 1e-4, $"centre head differs by {headMax:E2}");

        var people = Detector.Value.Detect(rgb, 256, 256);
        var expected = FloatFile.Read(Fixture($"{name}_output.f32"));
        Assert.Equal(6, people.Count);
        double worstPoint = 0, worstScore = 0;
        for (int p = 0; p < 6; p++)
        {
            var row = expected.AsSpan(p * 56, 56);
            var person = people[p];
            worstScore = Math.Max(worstScore, Math.Abs(person.Score - row[55]));
            var box = new[] { person.Box.Top, person.Box.Left, person.Box.Bottom, person.Box.Right };
            for (int i = 0; i < 4; i++) worstPoint = Math.Max(worstPoint, Math.Abs(box[i] - row[51 + i] * 256));
            for (int k = 0; k < 17; k++)
            {
                var kp = person.Keypoints[k];
                worstScore = Math.Max(worstScore, Math.Abs(kp.Score - row[3 * k + 2]));
                // Low-score keypoints sit where a flat heatmap peaks; only confident ones must land alike.
                if (row[3 * k + 2] > 0.2)
                    worstPoint = Math.Max(worstPoint, Math.Max(Math.Abs(kp.Y - row[3 * k] * 256), Math.Abs(kp.X - row[3 * k + 1] * 256)));
            }
            _log.WriteLine($"  person {p}: score {person.Score:0.0000} (tfjs {row[55]:0.0000}), box {person.Box}");
        }
        _log.WriteLine($"{name}: worst position {worstPoint:0.0000} px, worst score {worstScore:E2}");
        Assert.True(worstPoint < 0.01, $"positions differ by {worstPoint:0.000} px");
        Assert.True(worstScore < 1e-4, $"scores differ by {worstScore:E2}");
        Assert.Contains(people, p => p.Score > 0.2);
    }
}
