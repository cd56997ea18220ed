using PushGateway.Lifecycle;
using PushGateway.Tests.Infrastructure;

namespace PushGateway.Tests.Lifecycle;

/// <summary>The drain's pacing, driven by a manual clock: no test here sleeps or measures time.</summary>
public sealed class CloseOnScheduleTests
{
    private static readonly TimeSpan NoPolling = TimeSpan.FromHours(1);
    private readonly ManualTimeProvider time = new();
    private readonly List<string> closed = [];

    private void Close(string name)
    {
        lock (closed) closed.Add(name);
    }

    private string[] Closed()
    {
        lock (closed) return [.. closed];
    }

    [Fact]
    public async Task Each_close_happens_when_its_time_comes_and_not_before()
    {
        TimeSpan[] offsets = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)];
        var run = DrainCoordinator.CloseOnScheduleAsync(["a", "b", "c"], offsets, Close, () => false, time, NoPolling, CancellationToken.None);

        await time.TimerCreated.WaitAsync().Within();
        Assert.Empty(Closed());

        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Empty(Closed());
        Assert.Equal(1, time.PendingTimers);

        time.Advance(TimeSpan.FromMilliseconds(1));
        await time.TimerCreated.WaitAsync().Within();
        Assert.Equal(["a", "b"], Closed());

        time.Advance(TimeSpan.FromSeconds(2));
        await run.Within();
        Assert.Equal(["a", "b", "c"], Closed());
    }

    [Fact]
    public async Task It_stops_early_once_everyone_has_left_by_themselves()
    {
        var gone = false;
        TimeSpan[] offsets = [TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(15)];
        var run = DrainCoordinator.CloseOnScheduleAsync(["a", "b", "c"], offsets, Close, () => Volatile.Read(ref gone), time,
            TimeSpan.FromMilliseconds(100), CancellationToken.None);

        await time.TimerCreated.WaitAsync().Within();
        time.Advance(TimeSpan.FromMilliseconds(500));
        await time.TimerCreated.WaitAsync().Within();
        Assert.Equal(["a"], Closed());

        Volatile.Write(ref gone, true);
        time.Advance(TimeSpan.FromMilliseconds(100));
        await run.Within();
        Assert.Equal(["a"], Closed());
    }

    [Fact]
    public async Task Closes_already_due_go_out_without_waiting()
    {
        var run = DrainCoordinator.CloseOnScheduleAsync(["a", "b"], [TimeSpan.Zero, TimeSpan.Zero], Close, () => false, time, NoPolling, CancellationToken.None);
        await run.Within();
        Assert.Equal(["a", "b"], Closed());
        Assert.Equal(0, time.PendingTimers);
    }

    [Fact]
    public async Task Cancelling_stops_the_schedule()
    {
        using var cancel = new CancellationTokenSource();
        var run = DrainCoordinator.CloseOnScheduleAsync(["a"], [TimeSpan.FromSeconds(5)], Close, () => false, time, NoPolling, cancel.Token);
        await time.TimerCreated.WaitAsync().Within();

        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.Within());
        Assert.Empty(Closed());
    }
}
