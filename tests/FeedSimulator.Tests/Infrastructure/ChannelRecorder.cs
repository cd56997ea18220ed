using StackExchange.Redis;

namespace FeedSimulator.Tests.Infrastructure;

/// <summary>A Redis pattern subscriber that records messages in arrival order and signals when it has enough.</summary>
internal sealed class ChannelRecorder : IAsyncDisposable
{
    private readonly ConnectionMultiplexer connection;
    private readonly List<(string Channel, byte[] Payload)> messages = [];
    private readonly List<(int Count, TaskCompletionSource Signal)> waiters = [];

    private ChannelRecorder(ConnectionMultiplexer connection) => this.connection = connection;

    public IReadOnlyList<(string Channel, byte[] Payload)> Messages
    {
        get
        {
            lock (messages) return [.. messages];
        }
    }

    public static async Task<ChannelRecorder> StartAsync(string connectionString, string pattern)
    {
        var recorder = new ChannelRecorder(await ConnectionMultiplexer.ConnectAsync(connectionString));
        await recorder.connection.GetSubscriber().SubscribeAsync(new RedisChannel(pattern, RedisChannel.PatternMode.Pattern), recorder.OnMessage);
        return recorder;
    }

    public Task WaitForAsync(int count)
    {
        lock (messages)
        {
            if (messages.Count >= count) return Task.CompletedTask;
            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiters.Add((count, signal));
            return signal.Task;
        }
    }

    public async ValueTask DisposeAsync() => await connection.CloseAsync();

    private void OnMessage(RedisChannel channel, RedisValue value)
    {
        lock (messages)
        {
            messages.Add(((string)channel!, (byte[])value!));
            foreach (var waiter in waiters.Where(w => messages.Count >= w.Count)) waiter.Signal.TrySetResult();
            waiters.RemoveAll(w => messages.Count >= w.Count);
        }
    }
}
