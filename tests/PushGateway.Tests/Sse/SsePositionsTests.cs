using PushGateway.Connections.Sse;
using PushGateway.Protocol;

namespace PushGateway.Tests.Sse;

public sealed class SsePositionsTests
{
    [Fact]
    public void An_id_lists_every_topic_and_reads_back()
    {
        var positions = new SsePositions();
        positions.Advance("fx.EURUSD", "e1", 3);
        positions.Advance("smog.krakow.a", "e2", 41);
        positions.Advance("fx.EURUSD", "e1", 4);

        var id = positions.ToString();

        Assert.Equal("fx.EURUSD:e1:4,smog.krakow.a:e2:41", id);
        Assert.True(SsePositions.TryParse(id, out var parsed, out var truncated));
        Assert.False(truncated);
        Assert.Equal(new Dictionary<string, StreamPosition>
        {
            ["fx.EURUSD"] = new(4, "e1"),
            ["smog.krakow.a"] = new(41, "e2"),
        }, parsed);
    }

    [Fact]
    public void Within_an_epoch_a_message_only_moves_forward_a_new_epoch_replaces_and_a_gap_sets()
    {
        var positions = new SsePositions();
        positions.Advance("t", "e1", 5);
        positions.Advance("t", "e1", 4);
        Assert.Equal(new StreamPosition(5, "e1"), positions.Get("t"));
        positions.Advance("t", "e2", 1);
        Assert.Equal(new StreamPosition(1, "e2"), positions.Get("t"));
        positions.Set("t", "e2", 0);
        Assert.Equal(new StreamPosition(0, "e2"), positions.Get("t"));
        Assert.True(positions.Forget("t"));
        Assert.Equal("", positions.ToString());
    }

    [Theory]
    [InlineData("fx.EURUSD")]
    [InlineData("fx.EURUSD:e1")]
    [InlineData("fx.EURUSD:e1:4:5")]
    [InlineData("fx.EURUSD:e1:-4")]
    [InlineData("fx.EURUSD:e1:+4")]
    [InlineData("fx.EURUSD::4")]
    [InlineData("fx.*:e1:4")]
    [InlineData("fx.EURUSD:e 1:4")]
    [InlineData("fx.EURUSD:e1:4,fx.EURUSD:e1:5")]
    [InlineData("fx.EURUSD:e1:4,")]
    [InlineData("fx.EURUSD:e1:99999999999999999999")]
    public void An_id_we_did_not_write_is_unreadable_as_a_whole(string id)
    {
        Assert.False(SsePositions.TryParse(id, out var positions, out var truncated));
        Assert.Empty(positions);
        Assert.False(truncated);
    }

    [Fact]
    public void Epochs_that_could_break_the_framing_are_not_recorded()
    {
        var positions = new SsePositions();
        Assert.False(positions.Advance("t", "e\n1", 1));
        Assert.False(positions.Advance("t", "e,1", 1));
        Assert.False(positions.Advance("t", "e:1", 1));
        Assert.Equal(0, positions.Count);
    }

    [Fact]
    public void Past_the_size_limit_the_least_recently_moved_topics_are_left_out_and_the_id_says_so()
    {
        var positions = new SsePositions(maxIdLength: 40);
        positions.Advance("a.one", "e", 1);
        positions.Advance("a.two", "e", 1);
        positions.Advance("a.one", "e", 2);
        positions.Advance("a.three", "e", 1);
        positions.Advance("a.four", "e", 1);

        var id = positions.ToString();

        Assert.True(id.Length <= 40, id);
        Assert.EndsWith(",~", id);
        Assert.True(SsePositions.TryParse(id, out var parsed, out var truncated));
        Assert.True(truncated);
        Assert.DoesNotContain("a.two", parsed.Keys);
        Assert.Contains("a.four", parsed.Keys);
    }

    [Fact]
    public void No_id_means_no_positions()
    {
        Assert.True(SsePositions.TryParse("", out var positions, out var truncated));
        Assert.Empty(positions);
        Assert.False(truncated);
        Assert.True(SsePositions.TryParse("~", out _, out truncated));
        Assert.True(truncated);
    }
}
