using PushGateway.Bus;

namespace PushGateway.Tests.Bus;

/// <summary>
/// A bus thread may fan out by itself only while it has caught up with Redis: with a backlog, doing so
/// put the node's whole fan-out on one thread (S2 saturated at 89k deliveries/s, docs/benchmarks.md).
/// </summary>
public sealed class BusThreadTests
{
    [Fact]
    public async Task Only_a_marked_thread_that_has_caught_up_may_run_a_fan_out_itself()
    {
        var seen = await Task.Factory.StartNew(() =>
        {
            var before = BusThread.MayRunInline;
            BusThread.MarkCurrent();
            BusThread.SetCaughtUp(false);
            var behind = BusThread.MayRunInline;
            BusThread.SetCaughtUp(true);
            var caughtUp = BusThread.MayRunInline;
            return (before, behind, caughtUp);
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        Assert.Equal((false, false, true), seen);
        Assert.False(BusThread.MayRunInline, "another thread is not marked");
    }
}
