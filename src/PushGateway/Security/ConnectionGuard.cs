namespace PushGateway.Security;

/// <summary>
/// One connection's share of the security policy: its command and publish budgets, and the timer
/// that closes it when its credentials expire. Created per connection by <see cref="ClientSecurity"/>.
/// </summary>
internal sealed class ConnectionGuard : IDisposable
{
    private readonly TokenBucket commands;
    private readonly TokenBucket publishes;
    private readonly double commandDebt;
    private readonly TimeProvider time;
    private readonly object timerGate = new();
    private ITimer? expiryTimer;
    private bool disposed;
    private long generation;

    /// <summary>Longest single timer wait; a later expiry is reached in several waits (timers cap near 49 days).</summary>
    internal static readonly TimeSpan MaxTimerWait = TimeSpan.FromHours(12);

    public ConnectionGuard(ClientSecurity security, double commandsPerSecond, int commandBurst, double publishesPerSecond, int publishBurst, TimeProvider time)
    {
        Security = security;
        this.time = time;
        commands = new TokenBucket(commandsPerSecond, commandBurst, time);
        publishes = new TokenBucket(publishesPerSecond, publishBurst, time);
        // A client may be refused as many commands as its burst before it is cut off.
        commandDebt = commandBurst;
    }

    public ClientSecurity Security { get; }

    /// <summary>Charges one client message against the command budget (every message counts, well-formed or not).</summary>
    public BucketVerdict AdmitCommand() => commands.Take(commandDebt);

    public bool TryAdmitPublish() => publishes.TryTake();

    /// <summary>
    /// (Re)arms the expiry timer: <paramref name="onExpired"/> runs once <paramref name="expiresAt"/>
    /// has passed, on a timer thread (or at once if it already has). Null disarms it.
    /// </summary>
    public void WatchExpiry(DateTimeOffset? expiresAt, Action onExpired)
    {
        lock (timerGate)
        {
            // A timer of an earlier watch that fires late must not re-arm or close for stale credentials.
            generation++;
            Arm(generation, expiresAt, onExpired);
        }
    }

    private void Arm(long watch, DateTimeOffset? expiresAt, Action onExpired)
    {
        expiryTimer?.Dispose();
        expiryTimer = null;
        if (expiresAt is null || disposed) return;
        var wait = expiresAt.Value - time.GetUtcNow();
        if (wait <= TimeSpan.Zero)
        {
            onExpired();
            return;
        }
        expiryTimer = time.CreateTimer(_ => OnTimer(watch, expiresAt, onExpired), null, wait < MaxTimerWait ? wait : MaxTimerWait, Timeout.InfiniteTimeSpan);
    }

    private void OnTimer(long watch, DateTimeOffset? expiresAt, Action onExpired)
    {
        lock (timerGate)
        {
            if (watch == generation) Arm(watch, expiresAt, onExpired);
        }
    }

    public void Dispose()
    {
        lock (timerGate)
        {
            disposed = true;
            expiryTimer?.Dispose();
            expiryTimer = null;
        }
    }
}
