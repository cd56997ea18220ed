using PushGateway.Bus;
using PushGateway.Connections;

namespace PushGateway.Topics;

/// <summary>
/// Moves bus messages off the bus's thread onto fan-out workers, chosen by topic so each topic
/// keeps its order while every core works. Each shard is a mailbox: a queue and at most one runner.
/// A caller that may (<see cref="BusThread"/>) runs a message for an idle shard itself, at once:
/// on a quiet node the hand-off to a worker is most of a message's cost (docs/benchmarks.md,
/// 2026-12-07). Order holds because it does so only when nothing of that shard is queued or running.
/// </summary>
internal sealed class MessageDispatcher : IAsyncDisposable
{
    /// <summary>
    /// Messages routed before the connections they made ready are flushed. Only a backlog fills a run, and
    /// then the longer the run, the more of each connection's messages leave in one write: with 64, S2
    /// saturated at 303,000 deliveries/s (0.25 frames per delivery, the sends bound it); with 256 it held
    /// 702,000/s at p99 55 ms (0.14 frames per delivery), S1 unchanged (docs/benchmarks.md, 2026-12-07).
    /// A connection with a whole frame's worth waiting is written at once anyway (SocketTransport).
    /// </summary>
    internal const int MaxRun = 256;

    private readonly Shard[] shards;
    private readonly int capacity;
    private readonly Func<BusMessage, ValueTask> dispatch;
    private readonly Action<Exception> onError;
    private volatile bool disposed;

    public MessageDispatcher(int shardCount, int capacity, Func<BusMessage, ValueTask> dispatch, Action<Exception> onError)
    {
        this.capacity = capacity;
        this.dispatch = dispatch;
        this.onError = onError;
        shards = new Shard[shardCount];
        for (var i = 0; i < shardCount; i++) shards[i] = new Shard(this);
    }

    /// <summary>
    /// False when the shard is full (the message is dropped and the caller counts it). Constant time,
    /// unless <paramref name="runInline"/> and the shard is idle: then the message is dispatched on
    /// the calling thread before this returns.
    /// </summary>
    public bool TryPost(in BusMessage message, bool runInline = false)
    {
        if (disposed) return false;
        var shard = shards[(uint)message.Topic.GetHashCode() % (uint)shards.Length];
        bool inline = false, schedule = false;
        lock (shard)
        {
            if (!shard.Running && shard.Queue.Count == 0 && runInline) inline = shard.Running = true;
            else
            {
                if (shard.Queue.Count >= capacity) return false;
                shard.Queue.Enqueue(message);
                if (!shard.Running) schedule = shard.Running = true;
            }
        }
        if (inline) RunInline(shard, message);
        else if (schedule) ThreadPool.UnsafeQueueUserWorkItem(shard, preferLocal: false);
        return true;
    }

    public int QueuedCount
    {
        get
        {
            var total = 0;
            foreach (var shard in shards)
            {
                lock (shard) total += shard.Queue.Count;
            }
            return total;
        }
    }

    /// <summary>Stops taking messages and waits (at most 5 s) for what is queued to be dispatched.</summary>
    public async ValueTask DisposeAsync()
    {
        disposed = true;
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (DateTime.UtcNow < deadline && shards.Any(IsBusy)) await Task.Delay(10).ConfigureAwait(false);

        static bool IsBusy(Shard shard)
        {
            lock (shard) return shard.Running;
        }
    }

    private void RunInline(Shard shard, BusMessage message)
    {
        ValueTask pending = default;
        FlushBatch.Enter();
        try
        {
            pending = dispatch(message);
        }
        catch (Exception ex)
        {
            onError(ex);
        }
        finally
        {
            FlushBatch.Exit();
        }
        // Anything queued meanwhile, or the rest of a dispatch that had to wait (a history read), goes to
        // a worker: the bus's thread only ever runs the one message it brought.
        if (!pending.IsCompletedSuccessfully) _ = shard.DrainAfterAsync(pending);
        else
        {
            lock (shard)
            {
                if (shard.Queue.Count == 0)
                {
                    shard.Running = false;
                    return;
                }
            }
            ThreadPool.UnsafeQueueUserWorkItem(shard, preferLocal: false);
        }
    }

    /// <summary>A topic hash's queue; its lock guards the queue and <see cref="Running"/>.</summary>
    private sealed class Shard(MessageDispatcher owner) : IThreadPoolWorkItem
    {
        public Queue<BusMessage> Queue { get; } = new();

        /// <summary>A worker or an inline caller owns the shard: whoever posts meanwhile only queues.</summary>
        public bool Running { get; set; }

        public void Execute() => _ = DrainAsync();

        public async Task DrainAfterAsync(ValueTask pending)
        {
            await Complete(pending).ConfigureAwait(false);
            await DrainAsync().ConfigureAwait(false);
        }

        private async Task DrainAsync()
        {
            while (true)
            {
                // Connections made ready by this run of messages are flushed once when it ends (FlushBatch):
                // what arrived together leaves together. The run is bounded (MaxRun) so the first message's frames
                // are not held back behind a long backlog, and ends before any await that would yield.
                ValueTask pending = default;
                bool more = true, waiting = false;
                FlushBatch.Enter();
                try
                {
                    for (var run = 0; run < MaxRun; run++)
                    {
                        BusMessage message;
                        lock (this)
                        {
                            if (!Queue.TryDequeue(out message))
                            {
                                Running = false;
                                more = false;
                                break;
                            }
                        }
                        try
                        {
                            pending = owner.dispatch(message);
                            if (!pending.IsCompletedSuccessfully)
                            {
                                waiting = true;
                                break;
                            }
                        }
                        catch (Exception ex)
                        {
                            owner.onError(ex);
                        }
                    }
                }
                finally
                {
                    FlushBatch.Exit();
                }
                // The shard stays Running while its dispatch waits, so nothing of this topic overtakes it.
                if (waiting) await Complete(pending).ConfigureAwait(false);
                else if (!more) return;
            }
        }

        private async ValueTask Complete(ValueTask pending)
        {
            try
            {
                await pending.ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                owner.onError(ex);
            }
        }
    }
}
