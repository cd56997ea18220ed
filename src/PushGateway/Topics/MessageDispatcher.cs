using System.Threading.Channels;
using PushGateway.Bus;

namespace PushGateway.Topics;

/// <summary>
/// Moves bus messages off the bus's thread onto fan-out workers, chosen by topic so each topic
/// keeps its order while every core works.
/// </summary>
internal sealed class MessageDispatcher : IAsyncDisposable
{
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
            while (reader.TryRead(out var message))
            {
                try
                {
                    var pending = dispatch(message);
                    if (!pending.IsCompletedSuccessfully) await pending.ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    onError(ex);
                }
            }
        }
    }
}
