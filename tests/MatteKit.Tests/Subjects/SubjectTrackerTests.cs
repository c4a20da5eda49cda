using MatteKit.Subjects;
using Xunit;

namespace MatteKit.Tests.Subjects;

/// <summary>The tracker on synthetic detections: choosing, crossing paths, occlusion, leaving and coming back.</summary>
public sealed class SubjectTrackerTests
{
    private const int W = 640, H = 360;

    /// <summary>A person standing at <paramref name="x"/> (box centre), <paramref name="height"/> pixels tall, feet at 340.</summary>
    private static PersonDetection Person(float x, float height, float score = 0.6f)
    {
        float width = height * 0.4f, top = 340 - height;
        var box = new PersonBox(x - width / 2, top, x + width / 2, 340);
        // 17 keypoints down the body's middle and sides, at fixed fractions of the box.
        var keypoints = Enumerable.Range(0, 17).Select(k =>
            new Keypoint(x + (k % 2 == 0 ? -1 : 1) * width * 0.3f * (k > 0 ? 1 : 0), top + height * (0.05f + 0.9f * k / 16f), 0.8f)).ToArray();
        return new PersonDetection(score, box, keypoints);
    }

    [Fact]
    public void EachChoiceTakesItsPersonFromTheFirstFrameWithAnyone()
    {
        var people = new[] { Person(100, 200, 0.5f), Person(330, 120, 0.9f), Person(560, 250, 0.3f) };
        PersonBox Chosen(SubjectChoice choice)
        {
            var t = new SubjectTracker(choice, W, H);
            Assert.Equal(SubjectStatus.Searching, t.Update(Array.Empty<PersonDetection>()).Status);
            var state = t.Update(people);
            Assert.Equal((SubjectStatus.Tracked, 1), (state.Status, t.FirstSeen));
            return state.Detection!.Box;
        }
        Assert.Equal(people[2].Box, Chosen(SubjectChoice.Largest));
        Assert.Equal(people[1].Box, Chosen(SubjectChoice.Center));
        Assert.Equal(people[0].Box, Chosen(SubjectChoice.AtPoint(100, 250)));
        Assert.Equal(people[1].Box, Chosen(SubjectChoice.AtIndex(0))); // best score first
        Assert.Equal(people[2].Box, Chosen(SubjectChoice.AtIndex(2)));

        // A point on nobody, or an index beyond the people seen, keeps searching rather than taking someone else.
        var none = new SubjectTracker(SubjectChoice.AtPoint(330, 20), W, H);
        Assert.Equal(SubjectStatus.Searching, none.Update(people).Status);
        var beyond = new SubjectTracker(SubjectChoice.AtIndex(5), W, H);
        Assert.Equal(SubjectStatus.Searching, beyond.Update(people).Status);
        // Below the score that can start a track nobody is chosen.
        Assert.Equal(SubjectStatus.Searching, new SubjectTracker(SubjectChoice.Largest, W, H).Update(new[] { Person(300, 200, 0.01f) }).Status);
    }

    [Fact]
    public void CrossingPathsKeepTheSubject()
    {
        // An adult walking right crosses a slightly shorter person walking left (their boxes coincide at the crossing); detections come in either order.
        var tracker = new SubjectTracker(SubjectChoice.AtPoint(80, 250), W, H);
        for (int f = 0; f < 60; f++)
        {
            var adult = Person(80 + 8 * f, 220);
            var child = Person(560 - 8 * f, 200);
            var state = tracker.Update(f % 2 == 0 ? new[] { adult, child } : new[] { child, adult });
            Assert.Equal(SubjectStatus.Tracked, state.Status);
            Assert.True(state.Detection == adult, $"frame {f}: the tracker took the child at x {state.Detection!.Box.CenterX}");
            Assert.True(state.Region!.Value.Contains(adult.Box.CenterX, adult.Box.CenterY), $"frame {f}: region {state.Region} left the adult");
        }
    }

    [Fact]
    public void AShortOcclusionCoastsAlongThePathAndIsFoundAgain()
    {
        var tracker = new SubjectTracker(SubjectChoice.Largest, W, H);
        var bystander = Person(600, 120);
        PersonBox? lastRegion = null;
        for (int f = 0; f < 40; f++)
        {
            var subject = Person(100 + 6 * f, 220);
            bool hidden = f is >= 15 and < 25; // behind a pillar for 10 frames, under the grace period
            var state = tracker.Update(hidden ? new[] { bystander } : new[] { subject, bystander });
            if (hidden)
            {
                Assert.Equal(SubjectStatus.Coasting, state.Status);
                Assert.True(state.Region!.Value.CenterX > lastRegion!.Value.CenterX, "the coasting region keeps moving with the subject");
            }
            else
            {
                Assert.Equal(SubjectStatus.Tracked, state.Status);
                Assert.Same(subject, state.Detection);
            }
            lastRegion = state.Region;
        }
        Assert.Equal((30, 10, 0), (tracker.TrackedFrames, tracker.CoastedFrames, tracker.LostFrames));
        Assert.Empty(tracker.LostSpans);
    }

    [Fact]
    public void ASubjectThatLeavesIsLostNotSwappedForAnotherAndIsFoundWhereItLeft()
    {
        var tracker = new SubjectTracker(SubjectChoice.Largest, W, H);
        var events = new List<(SubjectStatus, int)>();
        tracker.Changed += (status, frame) => events.Add((status, frame));
        var other = Person(150, 180); // smaller, standing still the whole time
        for (int f = 0; f < 20; f++) Assert.Equal(SubjectStatus.Tracked, tracker.Update(new[] { Person(400 + 10 * f, 240), other }).Status);
        // The subject has walked out at the right edge; only the other person is seen for 40 frames.
        for (int f = 20; f < 60; f++)
        {
            var state = tracker.Update(new[] { other });
            Assert.NotEqual(SubjectStatus.Tracked, state.Status);
            if (state.Status == SubjectStatus.Lost) Assert.Null(state.Region);
        }
        Assert.Equal(SubjectStatus.Lost, tracker.Status);
        Assert.Equal(new[] { (20 + PeopleTracker.GraceFrames, 59) }, tracker.LostSpans);
        // It comes back in where it left.
        var back = Person(600, 240);
        var found = tracker.Update(new[] { other, back });
        Assert.Equal(SubjectStatus.Tracked, found.Status);
        Assert.Same(back, found.Detection);
        Assert.Equal(new[] { (SubjectStatus.Lost, 20 + PeopleTracker.GraceFrames), (SubjectStatus.Tracked, 60) }, events);
    }

    [Theory]
    [InlineData("largest", nameof(SubjectChoiceKind.Largest))]
    [InlineData("Center", nameof(SubjectChoiceKind.Center))]
    [InlineData("12.5,300", nameof(SubjectChoiceKind.Point))]
    [InlineData("3", nameof(SubjectChoiceKind.Index))]
    public void ChoicesParse(string text, string kind) => Assert.Equal(kind, SubjectChoice.Parse(text).Kind.ToString());

    [Theory]
    [InlineData("biggest")]
    [InlineData("6")]
    [InlineData("-1,3")]
    [InlineData("1,2,3")]
    [InlineData("")]
    public void BadChoicesAreOneLineErrors(string text)
    {
        var e = Assert.Throws<ArgumentException>(() => SubjectChoice.Parse(text));
        Assert.StartsWith("Subject must be largest, center, X,Y", e.Message);
    }

    [Fact]
    public void ColoursTellTwoPeopleApartWhenOneTurnsBackWhereTheyCross()
    {
        // The subject walks up to someone standing still and, one box on the other, turns back. Motion alone would
        // send the subject on past the other; the torso colours say which detection is whom.
        var red = new float[TorsoColours.Bins];
        var blue = new float[TorsoColours.Bins];
        red[48] = 1;
        blue[3] = 1;
        var tracker = new SubjectTracker(SubjectChoice.AtPoint(100, 250), W, H);
        float subjectX = 100;
        for (int f = 0; f < 60; f++)
        {
            subjectX += f < 30 ? 8 : -8;
            var subject = Person(subjectX, 220);
            var other = Person(340, 220);
            var state = tracker.Update(new[] { other, subject }, new[] { blue, red });
            Assert.NotEqual(SubjectStatus.Lost, state.Status);
            if (state.Detection is { } seen) Assert.True(seen == subject, $"frame {f}: the subject was taken at x {seen.Box.CenterX}, not {subjectX}");
            if (f == 59) Assert.Same(subject, state.Detection);
        }
    }

    [Fact]
    public void ASecondBoxOnOneBodyIsNotANewPersonButSomeoneBehindIs()
    {
        var people = new PeopleTracker();
        var adult = Person(300, 220);
        people.Update(new[] { adult });
        // A second, smaller box on the adult with the adult's keypoints (a duplicate) starts nobody.
        var duplicate = new PersonDetection(0.3f, new PersonBox(290, 200, 330, 300), adult.Keypoints);
        Assert.Single(people.Update(new[] { adult, duplicate }));
        // A child half hidden behind the adult (a box inside the adult's, keypoints of its own) is someone else,
        // also in the first frame anyone is seen, so that a point on the child can choose them.
        var child = Person(310, 120);
        Assert.Equal(2, people.Update(new[] { adult, child }).Count);
        var fresh = new PeopleTracker();
        Assert.Equal(2, fresh.Update(new[] { adult, child }).Count);
    }

    [Fact]
    public void APersonHalfSeenWhileTwoOverlapIsNotANewPerson()
    {
        // A child stands still; an adult walks in front of them. Half hidden, the child is found in a narrower box
        // whose torso shows the adult's shirt and whose keypoints spread over the adult: not the child by colour or
        // keypoints, yet where the child is. Started as someone new, it would be another person at the child's place,
        // seen clear on its first frame, and take the child's pixels (the short-occlusion composite lost 0.07 of MAD).
        var shirt = new float[TorsoColours.Bins];
        var dress = new float[TorsoColours.Bins];
        shirt[48] = 1;
        dress[3] = 1;
        var people = new PeopleTracker();
        for (int f = 0; f < 30; f++)
        {
            var adult = Person(100 + 8 * f, 220);
            var child = Person(330, 120);
            bool overlapping = PeopleTracker.Share(adult.Box, child.Box) > PeopleTracker.OverlapShare;
            var seen = overlapping
                ? new[] { adult, new PersonDetection(0.15f, new PersonBox(322, 230, 346, 330), Person(334, 220).Keypoints) }
                : new[] { adult, child };
            people.Update(seen, overlapping ? new[] { shirt, shirt } : new[] { shirt, dress });
            Assert.True(people.People.Count == 2, $"frame {f}: {people.People.Count} people followed (overlapping: {overlapping})");
        }
    }

    [Fact]
    public void SomeoneBehindTwoWhoOverlapAndAreBothFoundIsANewPerson()
    {
        // Two people overlap and both their boxes are found; a third, smaller box inside one of them, with keypoints of
        // its own, is someone behind (the two-children clip: the boy behind the girl), not one of the two half seen.
        var people = new PeopleTracker();
        var a = Person(300, 220);
        var b = Person(340, 220);
        for (int f = 0; f < 3; f++) people.Update(new[] { a, b });
        Assert.True(people.People.All(p => p.Overlapped));
        var behind = Person(345, 110);
        people.Update(new[] { a, b, behind });
        Assert.Equal(3, people.People.Count);
    }

    [Fact]
    public void SomeoneLargerArrivingWhereAHiddenPersonIsIsANewPerson()
    {
        // An adult walks in front of a child, who goes unseen; a larger person comes up there, whole and seen. Their box
        // holds the child's, but most of it lies elsewhere: someone new from the frame they are seen (review: taken for
        // the child half seen, they were followed only once the child was found again).
        var people = new PeopleTracker();
        var child = Person(330, 120);
        int arrived = -1;
        for (int f = 0; f < 30; f++)
        {
            var adult = Person(100 + 8 * f, 220);
            bool hidden = PeopleTracker.Share(adult.Box, child.Box) > PeopleTracker.OverlapShare;
            var seen = new List<PersonDetection> { adult };
            if (!hidden) seen.Add(child);
            if (hidden && arrived < 0) arrived = f;
            if (arrived >= 0) seen.Add(Person(340, 260));
            people.Update(seen);
            if (arrived >= 0) Assert.True(people.People.Count(p => p.Visible) == 3, $"frame {f}: {people.People.Count(p => p.Visible)} people followed, the newcomer came at frame {arrived}");
        }
        Assert.True(arrived >= 0);
    }
}
