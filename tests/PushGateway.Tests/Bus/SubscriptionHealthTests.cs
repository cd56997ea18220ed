using PushGateway.Bus;

namespace PushGateway.Tests.Bus;

public sealed class SubscriptionHealthTests
{
    [Fact]
    public void A_bus_is_not_live_until_a_probe_proves_it()
    {
        var health = new SubscriptionHealth();
        Assert.False(health.IsLive);

        Assert.Equal(Repair.None, health.Record(ProbeResult.Live, health.Generation, out var changed));

        Assert.True(health.IsLive);
        Assert.True(changed);
    }

    [Fact]
    public void Subscriptions_that_Redis_lost_are_issued_again_and_the_bus_is_down_meanwhile()
    {
        var health = Live();

        Assert.Equal(Repair.Resubscribe, health.Record(ProbeResult.Lost, health.Generation, out var changed));

        Assert.False(health.IsLive);
        Assert.True(changed);
        Assert.Equal(Repair.None, health.Record(ProbeResult.Live, health.Generation, out changed));
        Assert.True(changed);
    }

    [Fact]
    public void An_unreachable_Redis_is_left_to_the_client_library_to_reconnect()
    {
        var health = Live();

        Assert.Equal(Repair.None, health.Record(ProbeResult.Unreachable, health.Generation, out var changed));
        Assert.True(changed);
        Assert.Equal(Repair.None, health.Record(ProbeResult.Unreachable, health.Generation, out changed));
        Assert.False(changed);
        Assert.False(health.IsLive);
    }

    [Fact]
    public void A_late_echo_keeps_the_bus_live_and_only_a_connection_silent_over_several_probes_is_replaced()
    {
        var health = Live(silentProbesBeforeReconnect: 3);

        Assert.Equal(Repair.None, health.Record(ProbeResult.Silent, health.Generation, out var changed));
        Assert.False(changed);
        Assert.True(health.IsLive);
        Assert.Equal(Repair.None, health.Record(ProbeResult.Silent, health.Generation, out _));
        Assert.True(health.IsLive);

        Assert.Equal(Repair.Reconnect, health.Record(ProbeResult.Silent, health.Generation, out changed));
        Assert.True(changed);
        Assert.False(health.IsLive);
        // The count starts again after a reconnect.
        Assert.Equal(Repair.None, health.Record(ProbeResult.Silent, health.Generation, out _));
    }

    [Fact]
    public void A_probe_that_gets_through_resets_the_silence_count()
    {
        var health = new SubscriptionHealth(silentProbesBeforeReconnect: 2);

        health.Record(ProbeResult.Silent, health.Generation, out _);
        health.Record(ProbeResult.Live, health.Generation, out _);

        Assert.Equal(Repair.None, health.Record(ProbeResult.Silent, health.Generation, out _));
        Assert.Equal(Repair.Reconnect, health.Record(ProbeResult.Silent, health.Generation, out _));
    }

    [Fact]
    public void A_reported_connection_failure_takes_the_bus_down_once()
    {
        var health = Live();

        Assert.True(health.MarkDown());
        Assert.False(health.MarkDown());
        Assert.False(health.IsLive);
    }

    [Fact]
    public void A_probe_that_began_before_a_reported_failure_cannot_make_the_bus_live()
    {
        var health = Live();
        var probeBegan = health.Generation;

        health.MarkDown();

        Assert.Equal(Repair.None, health.Record(ProbeResult.Live, probeBegan, out var changed));
        Assert.False(health.IsLive);
        Assert.False(changed);
        health.Record(ProbeResult.Live, health.Generation, out changed);
        Assert.True(health.IsLive);
        Assert.True(changed);
    }

    private static SubscriptionHealth Live(int silentProbesBeforeReconnect = 3)
    {
        var health = new SubscriptionHealth(silentProbesBeforeReconnect);
        health.Record(ProbeResult.Live, health.Generation, out _);
        return health;
    }
}
