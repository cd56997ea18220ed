using PushGateway.Topics;

namespace PushGateway.Tests.Topics;

public class TopicNameTests
{
    [Theory]
    [InlineData("fx.EURUSD")]
    [InlineData("smog.krakow.al-krasinskiego")]
    [InlineData("a")]
    [InlineData("A_b-9.x")]
    public void Accepts_valid_topics(string topic) => Assert.True(TopicName.IsValidTopic(topic));

    [Theory]
    [InlineData("", "empty")]
    [InlineData("fx..EURUSD", "empty segments")]
    [InlineData(".fx", "empty segments")]
    [InlineData("fx.", "empty segments")]
    [InlineData("fx.EUR USD", "only letters")]
    [InlineData("fx.EUR/USD", "only letters")]
    [InlineData("fx.\u00e9", "only letters")]
    [InlineData("fx.\n", "only letters")]
    [InlineData("fx.*", "only letters")]
    [InlineData("fx.>", "only letters")]
    public void Refuses_invalid_topics_with_a_reason(string topic, string reason)
    {
        var error = TopicName.Validate(topic, allowWildcards: false);
        Assert.NotNull(error);
        Assert.Contains(reason, error);
    }

    [Fact]
    public void Length_limit_is_200_characters()
    {
        Assert.True(TopicName.IsValidTopic(new string('a', 200)));
        Assert.Contains("at most 200", TopicName.Validate(new string('a', 201), allowWildcards: false));
    }

    [Theory]
    [InlineData("fx.*", null)]
    [InlineData("fx.>", null)]
    [InlineData("*.EURUSD", null)]
    [InlineData(">", null)]
    [InlineData("fx.>.x", "last segment")]
    [InlineData("fx.E*", "whole segment")]
    [InlineData("fx.>>", "whole segment")]
    [InlineData("fx.?", "only letters")]
    [InlineData("fx.[ab]", "only letters")]
    public void Patterns_allow_whole_segment_wildcards_only(string pattern, string? reason)
    {
        var error = TopicName.Validate(pattern, allowWildcards: true);
        if (reason is null) Assert.Null(error);
        else Assert.Contains(reason, error);
    }
}
