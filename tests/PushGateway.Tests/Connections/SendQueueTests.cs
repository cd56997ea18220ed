using PushGateway.Connections;
using PushGateway.Protocol;

namespace PushGateway.Tests.Connections;

public class SendQueueTests
{
    private static PublishedMessage Message(int payloadBytes) =>
        PublishedMessage.Create("t", null, System.Text.Encoding.UTF8.GetBytes("\"" + new string('x', payloadBytes) + "\""), 0);

    [Fact]
    public void Refuses_frames_past_its_byte_budget()
    {
        var frame = Message(100);
        var size = frame.Encode(WireFormat.Json).Length;
        var queue = new SendQueue(WireFormat.Json, size * 3);
        Assert.True(queue.TryEnqueue(frame, out _));
        Assert.True(queue.TryEnqueue(frame, out _));
        Assert.True(queue.TryEnqueue(frame, out _));
        Assert.False(queue.TryEnqueue(frame, out _));
        Assert.Equal(size * 3, queue.QueuedBytes);
    }

    [Fact]
    public void Lets_one_oversized_frame_through_when_empty()
    {
        var queue = new SendQueue(WireFormat.Json, 10);
        Assert.True(queue.TryEnqueue(Message(100), out _));
        Assert.False(queue.TryEnqueue(Message(1), out _));
    }

    [Fact]
    public void Batches_up_to_the_frame_limit_but_always_at_least_one()
    {
        var frame = Message(100);
        var size = frame.Encode(WireFormat.Json).Length;
        var queue = new SendQueue(WireFormat.Json, 1 << 20);
        for (var i = 0; i < 10; i++) queue.TryEnqueue(frame, out _);
        var batch = new List<OutboundFrame>();
        Assert.Equal(size * 4, queue.DequeueBatch(batch, size * 4 + size / 2));
        Assert.Equal(4, batch.Count);
        batch.Clear();
        Assert.Equal(size, queue.DequeueBatch(batch, 1));
        Assert.Single(batch);
        Assert.Equal(size * 5, queue.QueuedBytes);
    }

    [Fact]
    public async Task Wakes_the_reader_and_reports_completion()
    {
        var queue = new SendQueue(WireFormat.Json, 1 << 20);
        var waiting = queue.WaitToReadAsync().AsTask();
        Assert.False(waiting.IsCompleted);
        queue.TryEnqueue(Message(1), out _);
        Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(0, queue.Complete(discard: false));
        Assert.True(await queue.WaitToReadAsync(), "queued frames are still drained after completion");
        queue.DequeueBatch([], 1 << 20);
        Assert.False(await queue.WaitToReadAsync());
        Assert.False(queue.TryEnqueue(Message(1), out _));
    }

    [Fact]
    public void Discarding_completion_drops_what_is_queued()
    {
        var queue = new SendQueue(WireFormat.Json, 1 << 20);
        queue.TryEnqueue(Message(10), out var size);
        Assert.Equal(size, queue.Complete(discard: true));
        Assert.Equal(0, queue.QueuedBytes);
    }
}
