using PushGateway.Security;
using PushGateway.Topics;

namespace PushGateway.Tests.Security;

/// <summary>Pattern containment: an allowed pattern covers a request only if it matches every topic the request can match.</summary>
public sealed class TopicPermissionsTests
{
    [Theory]
    // Literal grants.
    [InlineData("fx.EURUSD", "fx.EURUSD", true)]
    [InlineData("fx.EURUSD", "fx.GBPUSD", false)]
    [InlineData("fx.EURUSD", "fx.*", false)]
    [InlineData("fx.EURUSD", "fx.>", false)]
    [InlineData("fx.EURUSD", "fx", false)]
    [InlineData("fx.EURUSD", "fx.EURUSD.x", false)]
    [InlineData("fx", "fx.EURUSD", false)]
    // '>' grants.
    [InlineData("fx.>", "fx.EURUSD", true)]
    [InlineData("fx.>", "fx.*", true)]
    [InlineData("fx.>", "fx.>", true)]
    [InlineData("fx.>", "fx.a.b.c", true)]
    [InlineData("fx.>", "fx.*.b.>", true)]
    [InlineData("fx.>", "fx", false)]
    [InlineData("fx.>", "fxx.a", false)]
    [InlineData("fx.>", "*.EURUSD", false)]
    [InlineData("fx.>", ">", false)]
    [InlineData(">", ">", true)]
    [InlineData(">", "*", true)]
    [InlineData(">", "a.b.c", true)]
    [InlineData(">", "*.>", true)]
    // '*' grants.
    [InlineData("fx.*", "fx.EURUSD", true)]
    [InlineData("fx.*", "fx.*", true)]
    [InlineData("fx.*", "fx.>", false)]
    [InlineData("fx.*", "fx.a.b", false)]
    [InlineData("fx.*", "fx", false)]
    [InlineData("fx.*", "*.EURUSD", false)]
    [InlineData("*.EURUSD", "fx.EURUSD", true)]
    [InlineData("*.EURUSD", "*.EURUSD", true)]
    [InlineData("*.EURUSD", "*.*", false)]
    [InlineData("*", "fx", true)]
    [InlineData("*", "*", true)]
    [InlineData("*", ">", false)]
    [InlineData("*", "fx.a", false)]
    [InlineData("*.*", "a.*", true)]
    [InlineData("*.>", "a.b", true)]
    [InlineData("*.>", "a.>", true)]
    [InlineData("*.>", "*.>", true)]
    [InlineData("*.>", ">", false)]
    [InlineData("*.>", "a", false)]
    [InlineData("smog.*.>", "smog.krakow.a", true)]
    [InlineData("smog.*.>", "smog.krakow.>", true)]
    [InlineData("smog.*.>", "smog.>", false)]
    [InlineData("smog.*.>", "smog.krakow", false)]
    [InlineData("smog.krakow.*", "smog.*.a", false)]
    [InlineData("a.*.c", "a.b.c", true)]
    [InlineData("a.*.c", "a.*.c", true)]
    [InlineData("a.*.c", "a.*.*", false)]
    // Case matters, as it does for topics.
    [InlineData("fx.>", "FX.EURUSD", false)]
    public void Containment(string allowed, string requested, bool covered)
    {
        Assert.Equal(covered, TopicPermissions.Contains(TopicPattern.Parse(allowed), TopicPattern.Parse(requested)));
        Assert.Equal(covered, new TopicPermissions([TopicPattern.Parse(allowed)]).Covers(TopicPattern.Parse(requested)));
    }

    /// <summary>
    /// Containment agrees with matching, checked exhaustively over a small universe: patterns of up to
    /// four segments from {a, b, *, >} against every topic of up to six segments from {a, b, c}. Topics
    /// go deeper and use a letter no pattern has, so a wrong "covered" always has a witness.
    /// </summary>
    [Fact]
    public void Containment_agrees_with_matching_on_every_pattern_of_a_small_universe()
    {
        var patterns = Enumerate(["a", "b", "*", ">"], 4).Where(p => TopicName.Validate(p, allowWildcards: true) is null).Select(TopicPattern.Parse).ToList();
        var topics = Enumerate(["a", "b", "c"], 6).ToList();
        var matchSets = patterns.ToDictionary(p => p.Text, p => topics.Where(t => p.Matches(t)).ToHashSet());
        var checkedPairs = 0;
        foreach (var allowed in patterns)
        {
            foreach (var requested in patterns)
            {
                var expected = matchSets[requested.Text].IsSubsetOf(matchSets[allowed.Text]);
                Assert.True(expected == TopicPermissions.Contains(allowed, requested), $"allowed {allowed.Text}, requested {requested.Text}: expected {expected}");
                checkedPairs++;
            }
        }
        Assert.True(checkedPairs > 10_000, $"only {checkedPairs} pairs");
    }

    [Fact]
    public void A_set_covers_when_any_of_its_patterns_does()
    {
        var permissions = TopicPermissions.Parse(["fx.EURUSD", "smog.krakow.*", "chat.>"]);

        Assert.True(permissions.Covers(TopicPattern.Parse("fx.EURUSD")));
        Assert.True(permissions.Covers(TopicPattern.Parse("smog.krakow.*")));
        Assert.True(permissions.Covers(TopicPattern.Parse("chat.room1.>")));
        Assert.False(permissions.Covers(TopicPattern.Parse("fx.*")));
        Assert.False(permissions.Covers(TopicPattern.Parse("smog.>")));
        Assert.False(TopicPermissions.None.Covers(TopicPattern.Parse("fx.EURUSD")));
        Assert.True(TopicPermissions.All.Covers(TopicPattern.Parse("any.thing.>")));
    }

    [Theory]
    [InlineData("chat.room1", true)]
    [InlineData("chat.room1.typing", true)]
    [InlineData("chat", false)]
    [InlineData("fx.EURUSD", false)]
    [InlineData("chat.*", false)]
    [InlineData("chat.>", false)]
    [InlineData("chat..x", false)]
    [InlineData("", false)]
    public void Publishing_needs_a_concrete_topic_matched_by_a_grant(string topic, bool allowed)
    {
        Assert.Equal(allowed, TopicPermissions.Parse(["chat.>"]).Covers(topic));
    }

    [Fact]
    public void Invalid_patterns_are_reported_not_guessed()
    {
        Assert.False(TopicPermissions.TryParse(["fx.>", "fx.>.a"], out var permissions, out var error));
        Assert.True(permissions.IsEmpty);
        Assert.Contains("fx.>.a", error);
        Assert.Throws<ArgumentException>(() => TopicPermissions.Parse(["fx*"]));
    }

    [Fact]
    public void Union_keeps_both_sides()
    {
        var union = TopicPermissions.Parse(["fx.>"]).Union(TopicPermissions.Parse(["smog.>"]));

        Assert.True(union.Covers(TopicPattern.Parse("fx.EURUSD")));
        Assert.True(union.Covers(TopicPattern.Parse("smog.krakow")));
        Assert.Same(TopicPermissions.All, TopicPermissions.All.Union(TopicPermissions.None));
    }

    private static IEnumerable<string> Enumerate(string[] alphabet, int maxSegments)
    {
        var current = alphabet.ToList();
        for (var depth = 1; depth <= maxSegments; depth++)
        {
            foreach (var item in current) yield return item;
            if (depth < maxSegments) current = current.SelectMany(prefix => alphabet.Select(s => prefix + "." + s)).ToList();
        }
    }
}
