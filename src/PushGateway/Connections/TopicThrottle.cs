using PushGateway.Protocol;

namespace PushGateway.Connections;

/// <summary>
/// One topic under a maxRate or a deadband: for one subscription, or for every subscription of a key
/// that asked for the same rate (the router's <see cref="Topics.RateGroup"/>). The rate limit holds back
/// the newest value and sends it when the interval ends, so the last value a client sees is always the
/// latest: conflation, not sampling. All members run under <paramref name="gate"/>.
/// </summary>
internal sealed class TopicThrottle(object gate, Action<PublishedMessage> send, Action countConflated, DeliveryOptions options, TimeProvider time)
    : IDisposable
{
    private readonly long interval = options.MaxRate is { } rate ? (long)(time.TimestampFrequency / rate) : 0;
    private long lastSent = long.MinValue;
    private double? lastValue;
    private PublishedMessage? held;
    private ITimer? timer;

    public void Offer(PublishedMessage message)
    {
        if (options.Deadband is { } deadband && !PassesDeadband(message, deadband)) return;
        if (interval == 0)
        {
            Send(message);
            return;
        }
        var now = time.GetTimestamp();
        if (held is null && (lastSent == long.MinValue || now - lastSent >= interval))
        {
            Send(message);
            lastSent = now;
            return;
        }
        if (held is not null) countConflated();
        held = message;
        if (timer is null)
        {
            var due = TimeSpan.FromSeconds(Math.Max(0, lastSent + interval - now) / (double)time.TimestampFrequency);
            timer = time.CreateTimer(static s => ((TopicThrottle)s!).FlushBatched(), this, due, Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        timer?.Dispose();
        timer = null;
        held = null;
    }

    /// <summary>The timer's flush: the connections it makes ready are written once it is done, on this thread.</summary>
    private void FlushBatched()
    {
        FlushBatch.Enter();
        try
        {
            Flush();
        }
        finally
        {
            FlushBatch.Exit();
        }
    }

    private void Flush()
    {
        lock (gate)
        {
            timer?.Dispose();
            timer = null;
            if (held is null) return;
            var message = held;
            held = null;
            Send(message);
            lastSent = time.GetTimestamp();
        }
    }

    private bool PassesDeadband(PublishedMessage message, Deadband deadband)
    {
        var value = JsonNumberField.Read(message.Data, deadband.Field);
        // Messages without the field are not this filter's business: they pass.
        if (value is null) return true;
        if (lastValue is { } last && Math.Abs(value.Value - last) < deadband.Delta) return false;
        lastValue = value;
        return true;
    }

    private void Send(PublishedMessage message) => send(message);
}
