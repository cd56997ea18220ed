using PushGateway.Security;
using PushGateway.Tests.Lifecycle;

namespace PushGateway.Tests.Security;

/// <summary>The token buckets behind the command and publish limits, and the expiry timer, on a manual clock.</summary>
public sealed class ConnectionLimitsTests
{
    private readonly ManualTimeProvider time = new();

    [Fact]
    public void A_burst_is_admitted_then_the_sustained_rate_applies()
    {
        var bucket = new TokenBucket(perSecond: 10, capacity: 5, time);

        for (var i = 0; i < 5; i++) Assert.Equal(BucketVerdict.Admitted, bucket.Take(maxDebt: 5));
        Assert.Equal(BucketVerdict.Refused, bucket.Take(maxDebt: 5));
        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(BucketVerdict.Refused, bucket.Take(maxDebt: 5));
    }

    [Fact]
    public void Refusals_run_into_debt_and_exhaust_the_bucket()
    {
        var bucket = new TokenBucket(perSecond: 1, capacity: 3, time);
        for (var i = 0; i < 3; i++) bucket.Take(maxDebt: 3);

        for (var i = 0; i < 3; i++) Assert.Equal(BucketVerdict.Refused, bucket.Take(maxDebt: 3));
        Assert.Equal(BucketVerdict.Exhausted, bucket.Take(maxDebt: 3));
    }

    [Fact]
    public void A_client_that_backs_off_recovers_from_debt()
    {
        var bucket = new TokenBucket(perSecond: 10, capacity: 2, time);
        for (var i = 0; i < 4; i++) bucket.Take(maxDebt: 2);
        Assert.Equal(-2, bucket.Tokens, 3);

        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(2, bucket.Tokens, 3);
        Assert.Equal(BucketVerdict.Admitted, bucket.Take(maxDebt: 2));
    }

    [Fact]
    public void TryTake_refuses_without_debt_and_zero_rate_is_unlimited()
    {
        var bucket = new TokenBucket(perSecond: 1, capacity: 1, time);
        Assert.True(bucket.TryTake());
        Assert.False(bucket.TryTake());
        Assert.False(bucket.TryTake());
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(bucket.TryTake());

        var unlimited = new TokenBucket(perSecond: 0, capacity: 1, time);
        for (var i = 0; i < 10_000; i++) Assert.Equal(BucketVerdict.Admitted, unlimited.Take());
    }

    [Fact]
    public void Expiry_fires_once_the_credentials_expire_and_not_before()
    {
        using var guard = Guard();
        var expired = 0;

        guard.WatchExpiry(time.GetUtcNow().AddMinutes(5), () => expired++);
        time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromTicks(1));
        Assert.Equal(0, expired);
        time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(1, expired);
    }

    [Fact]
    public void A_refresh_rearms_the_timer_and_the_old_deadline_is_forgotten()
    {
        using var guard = Guard();
        var expired = 0;

        guard.WatchExpiry(time.GetUtcNow().AddMinutes(5), () => expired++);
        time.Advance(TimeSpan.FromMinutes(4));
        guard.WatchExpiry(time.GetUtcNow().AddMinutes(5), () => expired++);
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(0, expired);
        time.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(1, expired);
        Assert.Equal(0, time.PendingTimers);
    }

    [Fact]
    public void Expiry_far_away_is_reached_in_several_waits_and_past_expiry_fires_at_once()
    {
        using var guard = Guard();
        var expired = 0;

        guard.WatchExpiry(time.GetUtcNow().AddDays(400), () => expired++);
        for (var i = 0; i < 399 * 2; i++) time.Advance(ConnectionGuard.MaxTimerWait);
        Assert.Equal(0, expired);
        time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(1, expired);

        guard.WatchExpiry(time.GetUtcNow().AddSeconds(-1), () => expired++);
        Assert.Equal(2, expired);
    }

    [Fact]
    public void No_expiry_or_a_disposed_guard_arms_nothing()
    {
        var guard = Guard();
        guard.WatchExpiry(null, () => Assert.Fail("no expiry"));
        Assert.Equal(0, time.PendingTimers);

        guard.WatchExpiry(time.GetUtcNow().AddMinutes(1), () => Assert.Fail("disposed"));
        guard.Dispose();
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(0, time.PendingTimers);
    }

    private ConnectionGuard Guard() => new(null!, commandsPerSecond: 10, commandBurst: 10, publishesPerSecond: 1, publishBurst: 1, time);
}
