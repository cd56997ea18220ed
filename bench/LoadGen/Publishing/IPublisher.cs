namespace LoadGen.Publishing;

/// <summary>
/// Publishes consecutive phases of the <see cref="Schedule"/> open loop: message k of a phase is due
/// at start + k/rate and carries that scheduled time, whether or not the publisher is late; it
/// never waits for deliveries.
/// </summary>
public interface IPublisher : IAsyncDisposable
{
    Task<PublishResult> PublishAsync(IReadOnlyList<Phase> phases, long startMicros, CancellationToken ct);
}

public sealed class PublishResult
{
    public long Published { get; set; }
    /// <summary>Messages published in each of the phases asked for, in order.</summary>
    public List<long> PublishedPerPhase { get; set; } = [];
    public long Errors { get; set; }
    /// <summary>PUBLISHes that Redis reported reaching no subscriber (no node was subscribed to the channel).</summary>
    public long NoReceivers { get; set; }
    /// <summary>How late the publisher got behind its schedule, at worst; latency includes it.</summary>
    public double MaxLagMs { get; set; }
    /// <summary>
    /// Per phase, how late each message left against its schedule (the tick's wake-up, before the
    /// write to Redis): the share of end-to-end latency that is the publisher's. Empty when unknown.
    /// </summary>
    public List<Measurement.LatencySummary> LagPerPhase { get; set; } = [];
}
