using PushGateway.Bus;

namespace PushGateway.Tests.Bus;

public sealed class SubscriptionHealthTests
{
    [Fact]
    public void A_bus_is_not_live_until_a_probe_proves_it()
    {
        var health = new SubscriptionHealth();
        Assert.False(health.IsLive);

        Assert.Equal(Repair.None, health.Record(ProbeResult.Live, out var changed));

        Assert.True(health.IsLive);
        Assert.True(changed);
    }

    [Fact]
    public void Subscriptions_that_Redis_lost_are_issued_again_and_the_bus_is_down_meanwhile()
    {
        var health = Live();

        Assert.Equal(Repair.Resubscribe, health.Record(ProbeResult.Lost, out var changed));

        Assert.False(health.IsLive);
        Assert.True(changed);
        Assert.Equal(Repair.None, health.Record(ProbeResult.Live, out changed));
        Assert.True(changed);
    }

    [Fact]
    public void An_unreachable_Redis_is_left_to_the_client_library_to_reconnect()
    {
        var health = Live();

        Assert.Equal(Repair.None, health.Record(ProbeResult.Unreachable, out var changed));
        Assert.True(changed);
        Assert.Equal(Repair.None, health.Record(ProbeResult.Unreachable, out changed));
        Assert.False(changed);
        Assert.False(health.IsLive);
    }

    [Fact]
    public void Only_a_connection_silent_over_several_probes_in_a_row_is_replaced()
    {
        var health = new SubscriptionHealth(silentProbesBeforeReconnect: 3);

        Assert.Equal(Repair.None, health.Record(ProbeResult.Silent, out _));
        Assert.Equal(Repair.None, health.Record(ProbeResult.Silent, out _));
        Assert.Equal(Repair.Reconnect, health.Record(ProbeResult.Silent, out _));
        // The count starts again after a reconnect.
        Assert.Equal(Repair.None, health.Record(ProbeResult.Silent, out _));
    }

    [Fact]
    public void A_probe_that_gets_through_resets_the_silence_count()
    {
        var health = new SubscriptionHealth(silentProbesBeforeReconnect: 2);

        health.Record(ProbeResult.Silent, out _);
        health.Record(ProbeResult.Live, out _);

        Assert.Equal(Repair.None, health.Record(ProbeResult.Silent, out _));
        Assert.Equal(Repair.Reconnect, health.Record(ProbeResult.Silent, out _));
    }

    [Fact]
    public void A_reported_connection_failure_takes_the_bus_down_once()
    {
        var health = Live();

        Assert.True(health.MarkDown());
        Assert.False(health.MarkDown());
        Assert.False(health.IsLive);
    }

    private static SubscriptionHealth Live()
    {
        var health = new SubscriptionHealth();
        health.Record(ProbeResult.Live, out _);
        return health;
    }
}
