using PushGateway.Protocol;

namespace PushGateway.Connections;

/// <summary>
/// A connection's bounded outgoing queue. Producers (the fan-out, the receive loop) never wait:
/// they enqueue or learn the queue is full. The connection's single send loop drains it in batches
/// so that whatever accumulated goes out as one frame.
/// </summary>
internal sealed class SendQueue(WireFormat format, int capacityBytes)
{
    private readonly object gate = new();
    private readonly Queue<OutboundFrame> frames = new();
    private long queuedBytes;
    private bool completed;
    private TaskCompletionSource<bool>? waiter;

    public WireFormat Format { get; } = format;

    public long QueuedBytes => Volatile.Read(ref queuedBytes);

    /// <summary>False when the queue is full or completed; the frame was not queued.</summary>
    public bool TryEnqueue(OutboundFrame frame, out int size)
    {
        size = frame.Encode(Format).Length;
        TaskCompletionSource<bool>? wake;
        lock (gate)
        {
            if (completed) return false;
            // One frame larger than the whole budget is still let through alone, so a big message cannot wedge a connection.
            if (queuedBytes + size > capacityBytes && frames.Count > 0) return false;
            frames.Enqueue(frame);
            queuedBytes += size;
            wake = waiter;
            waiter = null;
        }
        wake?.TrySetResult(true);
        return true;
    }

    /// <summary>True when frames are ready; false once the queue is completed and empty.</summary>
    public ValueTask<bool> WaitToReadAsync()
    {
        lock (gate)
        {
            if (frames.Count > 0) return ValueTask.FromResult(true);
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
            while (frames.TryPeek(out var next))
            {
                var size = next.Encode(Format).Length;
                if (batch.Count > 0 && taken + size > maxBytes) break;
                frames.Dequeue();
                batch.Add(next);
                taken += size;
            }
            queuedBytes -= taken;
        }
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
                frames.Clear();
                dropped = queuedBytes;
                queuedBytes = 0;
            }
            wake = waiter;
            waiter = null;
        }
        wake?.TrySetResult(false);
        return dropped;
    }
}
