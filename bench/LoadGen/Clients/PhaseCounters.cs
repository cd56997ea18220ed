using LoadGen.Measurement;

namespace LoadGen.Clients;

/// <summary>What the clients of one process saw of one phase; shared by all of them, updated lock-free.</summary>
public sealed class PhaseCounters
{
    public long Delivered;
    public long Duplicates;
    public long OutOfOrder;
    public long Frames;
    public long FrameMessages;
    public long LastArrivalMicros;
    public readonly LatencyHistogram Latency = new();
}
