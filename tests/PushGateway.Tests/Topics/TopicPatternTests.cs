using PushGateway.Topics;

namespace PushGateway.Tests.Topics;

public class TopicPatternTests
{
    [Theory]
    [InlineData("fx.EURUSD", "fx.EURUSD", true)]
    [InlineData("fx.EURUSD", "fx.EURUSDX", false)]
    [InlineData("fx.*", "fx.EURUSD", true)]
    [InlineData("fx.*", "fx", false)]
    [InlineData("fx.*", "fx.EURUSD.bid", false)]
    [InlineData("smog.krakow.*", "smog.krakow.a", true)]
    [InlineData("smog.krakow.*", "smog.krakow", false)]
    [InlineData("smog.krakow.*", "smog.krakow.a.b", false)]
    [InlineData("smog.krakow.*", "smog.krakowx.a", false)]
    [InlineData("smog.*.a", "smog.gdansk.a", true)]
    [InlineData("smog.*.a", "smog.gdansk.b", false)]
    [InlineData("fx.>", "fx.EURUSD", true)]
    [InlineData("fx.>", "fx.a.b.c", true)]
    [InlineData("fx.>", "fx", false)]
    [InlineData("fx.>", "fxx.a", false)]
    [InlineData(">", "anything.at.all", true)]
    [InlineData("*", "one", true)]
    [InlineData("*", "one.two", false)]
    [InlineData("*.*", "one.two", true)]
    public void Matches_like_NATS(string pattern, string topic, bool expected) =>
        Assert.Equal(expected, TopicPattern.Parse(pattern).Matches(topic));

    [Theory]
    [InlineData("fx.*", "", "fx.*")]
    [InlineData("fx.>", "", "fx.*")]
    [InlineData("smog.*.a", "prod:", "prod:smog.*.a")]
    [InlineData("fx.EURUSD", "p*", "p\\*fx.EURUSD")]
    public void Redis_glob_is_a_superset_with_the_prefix_escaped(string pattern, string prefix, string glob) =>
        Assert.Equal(glob, TopicPattern.Parse(pattern).ToRedisGlob(prefix));

    [Fact]
    public void Parse_refuses_invalid_patterns()
    {
        Assert.False(TopicPattern.TryParse("fx.>.a", out var pattern, out var error));
        Assert.Null(pattern);
        Assert.NotNull(error);
        Assert.Throws<ArgumentException>(() => TopicPattern.Parse(""));
    }
}
