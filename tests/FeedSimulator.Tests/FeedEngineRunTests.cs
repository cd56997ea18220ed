using FeedSimulator.Tests.Infrastructure;

namespace FeedSimulator.Tests;

public class FeedEngineRunTests
{
    [Fact]
    public async Task Run_publishes_the_generated_ticks_in_order_and_returns_normally_when_cancelled()
    {
        var options = TestOptions.Create(o => o.FxTicksPerSecond = 5_000);
        var engine = new FeedEngine(options, TimeProvider.System);
        using var cancel = new CancellationTokenSource();
        var sink = new RecordingSink(stopAfter: 300, cancelRun: cancel);

        await engine.RunAsync(sink, cancel.Token).Within();

        Assert.True(sink.Reached.IsCompleted);
        // The sink cancelled on the 300th tick; the engine must not publish after seeing it.
        Assert.Equal(300, sink.Ticks.Count);
        var expected = engine.Generate(300).ToList();
        Assert.Equal(expected.Select(t => t.Topic), sink.Ticks.Select(t => t.Topic));
        Assert.Equal(expected.Select(t => t.Payload.ToArray()), sink.Ticks.Select(t => t.Payload));
    }

    [Fact]
    public async Task Run_stops_by_itself_after_max_ticks()
    {
        var options = TestOptions.Create(o => (o.FxTicksPerSecond, o.MaxTicks) = (5_000, 250));
        var sink = new RecordingSink();

        await new FeedEngine(options, TimeProvider.System).RunAsync(sink, CancellationToken.None).Within();

        Assert.Equal(250, sink.Ticks.Count);
    }

    [Fact]
    public async Task Run_stops_by_itself_after_the_duration_and_publishes_nothing_due_later()
    {
        var options = TestOptions.Create(o => (o.FxTicksPerSecond, o.Smog, o.Duration) = (2_000, false, TimeSpan.FromMilliseconds(300)));
        var sink = new RecordingSink();

        await new FeedEngine(options, TimeProvider.System).RunAsync(sink, CancellationToken.None).Within();

        // FX simulated time runs at real speed from StartTime, so a tick's timestamp is when it was due.
        var due = new FeedEngine(options, TimeProvider.System).Generate(sink.Ticks.Count).ToList();
        Assert.NotEmpty(due);
        Assert.All(due, t => Assert.True(t.Timestamp < TestOptions.Start + options.Duration!.Value));
    }

    [Fact]
    public async Task Cancelling_while_the_sink_is_blocked_ends_the_run_without_an_exception()
    {
        var sink = new BlockingSink();
        using var cancel = new CancellationTokenSource();
        var run = new FeedEngine(TestOptions.Create(o => o.FxTicksPerSecond = 1_000), TimeProvider.System).RunAsync(sink, cancel.Token);

        await sink.Entered.Within();
        cancel.Cancel();

        await run.Within();
        Assert.True(run.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Cancelling_while_waiting_for_the_next_tick_ends_the_run_without_an_exception()
    {
        // One smog reading an hour of real time apart: after the first publish the engine waits on its timer far beyond the test bound.
        var options = TestOptions.Create(o => (o.Fx, o.TimeScale, o.SmogInterval) = (false, 1, TimeSpan.FromDays(1)));
        using var cancel = new CancellationTokenSource();
        var sink = new RecordingSink(stopAfter: 1);
        var run = new FeedEngine(options, TimeProvider.System).RunAsync(sink, cancel.Token);

        await sink.Reached.Within();
        cancel.Cancel();

        await run.Within();
        Assert.True(run.IsCompletedSuccessfully);
        Assert.Single(sink.Ticks);
    }

    [Fact]
    public async Task An_already_cancelled_run_publishes_nothing()
    {
        var sink = new RecordingSink();

        await new FeedEngine(TestOptions.Create(), TimeProvider.System).RunAsync(sink, new CancellationToken(canceled: true)).Within();

        Assert.Empty(sink.Ticks);
    }

    [Fact]
    public async Task A_failing_sink_fails_the_run()
    {
        var run = new FeedEngine(TestOptions.Create(), TimeProvider.System).RunAsync(new ThrowingSink(), CancellationToken.None);

        await Assert.ThrowsAsync<InvalidOperationException>(() => run.Within());
    }

    private sealed class BlockingSink : IFeedSink
    {
        private readonly TaskCompletionSource entered = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Entered => entered.Task;

        public async ValueTask PublishAsync(string topic, ReadOnlyMemory<byte> utf8Json, CancellationToken cancellationToken)
        {
            entered.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }

    private sealed class ThrowingSink : IFeedSink
    {
        public ValueTask PublishAsync(string topic, ReadOnlyMemory<byte> utf8Json, CancellationToken cancellationToken) =>
            ValueTask.FromException(new InvalidOperationException("sink down"));
    }
}
