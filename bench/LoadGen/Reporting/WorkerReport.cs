using LoadGen.Measurement;

namespace LoadGen.Reporting;

/// <summary>What one process of subscribers reports; the coordinator adds these up.</summary>
public sealed class WorkerReport
{
    public int Connections { get; set; }
    public int Connected { get; set; }
    public long Disconnects { get; set; }
    public long Retries { get; set; }
    public long ConnectErrors { get; set; }
    public long SubscriptionsRequested { get; set; }
    public long SubscriptionsAcked { get; set; }
    public long SubscribeErrors { get; set; }
    public long ProtocolErrors { get; set; }
    public long Unmatched { get; set; }
    public long Unplanned { get; set; }
    public SortedDictionary<string, long> Errors { get; set; } = [];
    public long CpuMs { get; set; }
    public List<WorkerPhase> Phases { get; set; } = [];
}

public sealed class WorkerPhase
{
    public int Index { get; set; }
    public long Expected { get; set; }
    public long FinalMissing { get; set; }
    public long Delivered { get; set; }
    public long Duplicates { get; set; }
    public long OutOfOrder { get; set; }
    public long Frames { get; set; }
    public long FrameMessages { get; set; }
    public long LastArrivalMicros { get; set; }
    public HistogramData Latency { get; set; } = new();
}

public sealed class ConnectSummary
{
    public int Requested { get; set; }
    public int Established { get; set; }
    public int Failed { get; set; }
    public long Retries { get; set; }
    public double Seconds { get; set; }
    public long SubscriptionsRequested { get; set; }
    public long SubscriptionsAcked { get; set; }
}

public sealed class PhaseProgress
{
    public long Delivered { get; set; }
    public long Expected { get; set; }
    /// <summary>Every message received so far, of any phase: activity, to tell a backlog still draining from a stall.</summary>
    public long Arrivals { get; set; }
}
