namespace FeedSimulator.Tests.Infrastructure;

/// <summary>
/// Records every publish. When <c>stopAfter</c> ticks have arrived it cancels the run's token itself, so a test
/// synchronises on what the sink saw rather than on time.
/// </summary>
internal sealed class RecordingSink(int stopAfter = int.MaxValue, CancellationTokenSource? cancelRun = null) : IFeedSink
{
    private readonly List<(string Topic, byte[] Payload)> ticks = [];
    private readonly TaskCompletionSource reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Reached => reached.Task;

    public IReadOnlyList<(string Topic, byte[] Payload)> Ticks
    {
        get
        {
            lock (ticks) return [.. ticks];
        }
    }

    public ValueTask PublishAsync(string topic, ReadOnlyMemory<byte> utf8Json, CancellationToken cancellationToken)
    {
        int count;
        lock (ticks)
        {
            ticks.Add((topic, utf8Json.ToArray()));
            count = ticks.Count;
        }
        if (count == stopAfter)
        {
            reached.TrySetResult();
            cancelRun?.Cancel();
        }
        return ValueTask.CompletedTask;
    }
}
