using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using PushGateway.Connections.Sse;
using PushGateway.Protocol;
using PushGateway.Topics;

namespace PushGateway.Tests.Sse;

public sealed class SseRequestTests
{
    private static bool Parse(string query, out SseRequest? request, out string? error, string? lastEventId = null, int maxKeys = 10) =>
        SseRequest.TryParse(new QueryCollection(QueryHelpers(query)), lastEventId, maxKeys, out request, out error);

    private static Dictionary<string, StringValues> QueryHelpers(string query) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(query);

    [Fact]
    public void Topics_and_patterns_with_snapshot_and_max_rate()
    {
        Assert.True(Parse("?topics=fx.EURUSD,smog.krakow.*,fx.>&snapshot=true&maxRate=2.5", out var request, out var error), error);
        Assert.Equal(["fx.EURUSD", "smog.krakow.*", "fx.>"], request!.Keys.Select(k => k.Text));
        Assert.True(request.Snapshot);
        Assert.Equal(2.5, request.MaxRate);
        Assert.Same(SseResume.None, request.Resume);
    }

    [Theory]
    [InlineData("", "'topics' is required")]
    [InlineData("?topics=", "'topics' is required")]
    [InlineData("?topics=fx.EURUSD,,fx.GBPUSD", "invalid topic ''")]
    [InlineData("?topics=fx..EURUSD", "invalid topic 'fx..EURUSD'")]
    [InlineData("?topics=fx.>.x", "invalid topic 'fx.>.x'")]
    [InlineData("?topics=fx.EURUSD,fx.EURUSD", "'fx.EURUSD' is listed twice")]
    [InlineData("?topics=a,b,c", "at most 2 topics")]
    [InlineData("?topics=a&snapshot=yes", "'snapshot' must be true or false")]
    [InlineData("?topics=a&maxRate=0", "'maxRate' must be a positive number")]
    [InlineData("?topics=a&maxRate=fast", "'maxRate' must be a positive number")]
    [InlineData("?topics=a&maxRate=Infinity", "'maxRate' must be a positive number")]
    public void Bad_input_is_refused_with_a_reason(string query, string reason)
    {
        Assert.False(Parse(query, out _, out var error, maxKeys: 2));
        Assert.Contains(reason, error);
    }

    [Fact]
    public void The_header_wins_over_the_polyfill_parameter_and_an_unreadable_id_is_flagged()
    {
        Assert.True(Parse("?topics=a.b&lastEventId=a.b:e:1", out var fromQuery, out _));
        Assert.Equal(new StreamPosition(1, "e"), fromQuery!.Resume.Positions["a.b"]);

        Assert.True(Parse("?topics=a.b&lastEventId=a.b:e:1", out var fromHeader, out _, lastEventId: "a.b:e:7"));
        Assert.Equal(new StreamPosition(7, "e"), fromHeader!.Resume.Positions["a.b"]);

        Assert.True(Parse("?topics=a.b", out var unreadable, out _, lastEventId: "garbage"));
        Assert.True(unreadable!.Resume.Unreadable);
        Assert.Empty(unreadable.Resume.Positions);
    }

    [Fact]
    public void A_key_gets_the_positions_of_the_topics_it_matches()
    {
        var resume = SseResume.From("fx.EURUSD:e:1,smog.krakow.a:e:2,smog.gdansk.b:e:3");
        Assert.Equal(["smog.krakow.a"], resume.For(TopicPattern.Parse("smog.krakow.*")).Keys);
        Assert.Equal(["fx.EURUSD"], resume.For(TopicPattern.Parse("fx.EURUSD")).Keys);
    }
}
