using System.Threading.Channels;
using PushGateway.Bus;
using PushGateway.Connections;

namespace PushGateway.Topics;

/// <summary>
/// Moves bus messages off the bus's thread onto fan-out workers, chosen by topic so each topic
/// keeps its order while every core works.
/// </summary>
internal sealed class MessageDispatcher : IAsyncDisposable
{
    private const int MaxRun = 64;

    private readonly Channel<BusMessage>[] shards;
    private readonly Task[] workers;

    public MessageDispatcher(int shardCount, int capacity, Func<BusMessage, ValueTask> dispatch, Action<Exception> onError)
    {
        shards = new Channel<BusMessage>[shardCount];
        workers = new Task[shardCount];
        for (var i = 0; i < shardCount; i++)
        {
            var channel = Channel.CreateBounded<BusMessage>(new BoundedChannelOptions(capacity)
            {
                SingleReader = true,
                FullMode = BoundedChannelFullMode.Wait,
            });
            shards[i] = channel;
            workers[i] = Task.Run(() => RunAsync(channel.Reader, dispatch, onError));
        }
    }

    /// <summary>Constant time; false when the shard is full (the message is dropped and the caller counts it).</summary>
    public bool TryPost(in BusMessage message)
    {
        var shard = (uint)message.Topic.GetHashCode() % (uint)shards.Length;
        return shards[shard].Writer.TryWrite(message);
    }

    public int QueuedCount
    {
        get
        {
            var total = 0;
            foreach (var shard in shards) total += shard.Reader.Count;
            return total;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var shard in shards) shard.Writer.TryComplete();
        await Task.WhenAll(workers).ConfigureAwait(false);
    }

    private static async Task RunAsync(ChannelReader<BusMessage> reader, Func<BusMessage, ValueTask> dispatch, Action<Exception> onError)
    {
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            // Connections made ready by this run of messages are flushed once when it ends (FlushBatch):
            // what arrived together leaves together. The run is bounded so the first message's frames
            // are not held back behind a long backlog, and ends before any await that would yield.
            ValueTask pending = default;
            FlushBatch.Enter();
            try
            {
                for (var run = 0; run < MaxRun && reader.TryRead(out var message); run++)
                {
                    try
                    {
                        pending = dispatch(message);
                        if (!pending.IsCompletedSuccessfully) break;
                        pending = default;
                    }
                    catch (Exception ex)
                    {
                        onError(ex);
                    }
                }
            }
            finally
            {
                FlushBatch.Exit();
            }
            try
            {
                await pending.ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                onError(ex);
            }
        }
    }
}
