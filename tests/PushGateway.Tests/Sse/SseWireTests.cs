using System.Buffers;
using System.Text;
using PushGateway.Connections.Sse;
using PushGateway.Protocol;
using PushGateway.Topics;

namespace PushGateway.Tests.Sse;

public sealed class SseWireTests
{
    private static string Write(SsePositions positions, params OutboundFrame[] frames)
    {
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var frame in frames) SseWire.Write(buffer, frame, positions);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Fact]
    public void A_sequenced_message_carries_the_whole_streams_position_and_a_plain_one_none()
    {
        var positions = new SsePositions();
        var first = PublishedMessage.Create("fx.A", null, """{"bid":1}"""u8, 0, seq: 7, epoch: "e1");
        var second = PublishedMessage.Create("fx.B", "fx.*", """{"bid":2}"""u8, 0, seq: 2, epoch: "e2");
        var plain = PublishedMessage.Create("fx.C", null, """{"bid":3}"""u8, 0);

        var text = Write(positions, first, second, plain);

        Assert.Equal(
            "event: message\nid: fx.A:e1:7\ndata: {\"type\":\"message\",\"topic\":\"fx.A\",\"seq\":7,\"epoch\":\"e1\",\"data\":{\"bid\":1}}\n\n" +
            "event: message\nid: fx.A:e1:7,fx.B:e2:2\ndata: {\"type\":\"message\",\"topic\":\"fx.B\",\"pattern\":\"fx.*\",\"seq\":2,\"epoch\":\"e2\",\"data\":{\"bid\":2}}\n\n" +
            "event: message\ndata: {\"type\":\"message\",\"topic\":\"fx.C\",\"data\":{\"bid\":3}}\n\n",
            text);
    }

    [Fact]
    public void A_gap_is_its_own_event_and_moves_the_topic_to_where_the_gap_says_it_stands()
    {
        var positions = new SsePositions();
        positions.Set("fx.A", "old", 40);
        var gap = GapNotice.Create("fx.A", TopicPattern.Parse("fx.A"), "epoch_changed", 3, "new");

        var text = Write(positions, gap);

        Assert.StartsWith("event: gap\nid: fx.A:new:3\ndata: {\"type\":\"gap\",\"topic\":\"fx.A\",", text);
        Assert.EndsWith("}\n\n", text);
    }

    [Fact]
    public void Comments_and_retry_lines_are_written_as_they_are()
    {
        Assert.Equal(": keepalive\n\n", Write(new SsePositions(), SseLine.Keepalive));
        Assert.Equal("retry: 2500\n\n", Write(new SsePositions(), SseLine.Retry(TimeSpan.FromMilliseconds(2500))));
    }
}
