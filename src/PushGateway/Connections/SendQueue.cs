using PushGateway.Observability;
using PushGateway.Protocol;

namespace PushGateway.Connections;

/// <summary>
/// A connection's bounded outgoing queue. Producers (the fan-out, the receive loop) never wait:
/// they enqueue, conflate, or learn the queue is full. The connection's single send loop drains it
/// in batches so that whatever accumulated goes out as one frame. It keeps the node's queue-depth and
/// conflation figures itself, so every owner (WebSocket, SSE) counts them the same way.
/// </summary>
internal sealed class SendQueue(WireFormat format, int capacityBytes, GatewayMetrics? metrics = null)
{
    private readonly object gate = new();
    // Small to start: most connections are idle, and a busy one grows it once or twice.
    private Entry[] entries = new Entry[2];
    private int head;
    private int count;
    private long queuedBytes;
    private bool completed;
    private TaskCompletionSource<bool>? waiter;
    private long overflowSince;

    public WireFormat Format { get; } = format;

    public long QueuedBytes => Volatile.Read(ref queuedBytes);

    public int Capacity => capacityBytes;

    /// <summary>
    /// Called (outside the queue's lock) whenever there is something new for the sender: a frame queued, or
    /// the queue completed. A sender that writes from the producer's side (the direct socket transport)
    /// schedules a flush here instead of waiting in <see cref="WaitToReadAsync"/>. Must not block.
    /// </summary>
    public Action? Ready { get; set; }

    /// <summary>
    /// Read without the lock, for a sender deciding whether to look again: a true is final (nothing is queued
    /// once the queue is completed), a stale false is followed by <see cref="Ready"/>.
    /// </summary>
    public bool IsEmpty => Volatile.Read(ref count) == 0;

    /// <summary>True once the queue is completed and everything in it was taken; read without the lock, as <see cref="IsEmpty"/>.</summary>
    public bool IsDrained => Volatile.Read(ref completed) && Volatile.Read(ref count) == 0;

    /// <summary>
    /// When the current overflow episode began (<paramref name="now"/> if it begins now). An episode ends
    /// when a dequeue brings the queue back under half its budget: the client is keeping up again.
    /// </summary>
    public long OverflowStarted(long now)
    {
        var since = Interlocked.CompareExchange(ref overflowSince, now, 0);
        return since == 0 ? now : since;
    }

    /// <summary>Queues a frame; false when the queue is full or completed. <paramref name="size"/> is the bytes added.</summary>
    public bool TryEnqueue(OutboundFrame frame, out int size) => TryEnqueue(frame, null, out size) == EnqueueResult.Queued;

    /// <summary>
    /// Queues a frame. When the queue is over its budget and <paramref name="owner"/> is given (a
    /// conflatable message of that subscription), the newest value replaces the one still queued for
    /// the same subscription and topic instead of growing the queue. <paramref name="sizeDelta"/> is the change in queued bytes.
    /// </summary>
    public EnqueueResult TryEnqueue(OutboundFrame frame, object? owner, out int sizeDelta, bool reserve = false)
    {
        var size = frame.Encode(Format).Length;
        sizeDelta = 0;
        TaskCompletionSource<bool>? wake;
        lock (gate)
        {
            if (completed) return EnqueueResult.Closed;
            // One frame larger than the whole budget is still let through alone, so a big message cannot wedge a connection;
            // small notices (reserve) may use a second budget so a gap notice can follow a dropped message.
            var budget = reserve ? 2L * capacityBytes : capacityBytes;
            if (queuedBytes + size > budget && count > 0)
            {
                if (owner is null || frame is not PublishedMessage message || !TryReplace(owner, message, size, out sizeDelta))
                    return EnqueueResult.Full;
                metrics?.QueuedBytesChanged(sizeDelta);
                metrics?.MessagesConflated(1);
                return EnqueueResult.Conflated;
            }
            if (count == entries.Length) Grow();
            entries[(head + count) % entries.Length] = new Entry(frame, owner);
            count++;
            queuedBytes += size;
            sizeDelta = size;
            wake = waiter;
            waiter = null;
        }
        metrics?.QueuedBytesChanged(size);
        wake?.TrySetResult(true);
        Ready?.Invoke();
        return EnqueueResult.Queued;
    }

    /// <summary>True when frames are ready; false once the queue is completed and empty.</summary>
    public ValueTask<bool> WaitToReadAsync()
    {
        lock (gate)
        {
            if (count > 0) return ValueTask.FromResult(true);
            if (completed) return ValueTask.FromResult(false);
            waiter ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            return new ValueTask<bool>(waiter.Task);
        }
    }

    /// <summary>Moves frames into <paramref name="batch"/> up to <paramref name="maxBytes"/> (at least one); returns their bytes.</summary>
    public int DequeueBatch(List<OutboundFrame> batch, int maxBytes)
    {
        var taken = 0;
        lock (gate)
        {
            while (count > 0)
            {
                var next = entries[head].Frame;
                var size = next.Encode(Format).Length;
                if (batch.Count > 0 && taken + size > maxBytes) break;
                entries[head] = default;
                head = (head + 1) % entries.Length;
                count--;
                batch.Add(next);
                taken += size;
            }
            queuedBytes -= taken;
            if (queuedBytes < capacityBytes / 2) Volatile.Write(ref overflowSince, 0);
        }
        metrics?.QueuedBytesChanged(-taken);
        return taken;
    }

    /// <summary>Stops accepting frames. With <paramref name="discard"/>, also drops what is queued; returns the bytes dropped.</summary>
    public long Complete(bool discard)
    {
        TaskCompletionSource<bool>? wake;
        long dropped = 0;
        lock (gate)
        {
            completed = true;
            if (discard)
            {
                Array.Clear(entries);
                head = count = 0;
                dropped = queuedBytes;
                queuedBytes = 0;
            }
            wake = waiter;
            waiter = null;
        }
        metrics?.QueuedBytesChanged(-dropped);
        wake?.TrySetResult(false);
        Ready?.Invoke();
        return dropped;
    }

    /// <summary>
    /// Searches from the newest entry back: with a few dozen conflatable topics interleaved, the value
    /// to replace is near the tail. Only runs while the queue is over budget.
    /// </summary>
    private bool TryReplace(object owner, PublishedMessage message, int size, out int sizeDelta)
    {
        sizeDelta = 0;
        for (var i = count - 1; i >= 0; i--)
        {
            ref var entry = ref entries[(head + i) % entries.Length];
            if (!ReferenceEquals(entry.Owner, owner) || entry.Frame is not PublishedMessage queued || queued.Topic != message.Topic) continue;
            sizeDelta = size - queued.Encode(Format).Length;
            entry = new Entry(message, owner);
            queuedBytes += sizeDelta;
            return true;
        }
        return false;
    }

    private void Grow()
    {
        var bigger = new Entry[entries.Length * 2];
        for (var i = 0; i < count; i++) bigger[i] = entries[(head + i) % entries.Length];
        entries = bigger;
        head = 0;
    }

    private readonly record struct Entry(OutboundFrame Frame, object? Owner);
}

internal enum EnqueueResult
{
    Queued,
    Conflated,
    Full,
    Closed,
}
