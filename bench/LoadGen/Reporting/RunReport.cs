using LoadGen.Measurement;

namespace LoadGen.Reporting;

/// <summary>The result of one run, as printed with <c>--json</c> and read back by <c>compare</c> and the plot script.</summary>
public sealed class RunReport
{
    public string? Label { get; set; }
    public string Target { get; set; } = "";
    public string Protocol { get; set; } = "";
    public string StartedUtc { get; set; } = "";
    public string Mode { get; set; } = "";
    public RunSettings Settings { get; set; } = new();
    public ConnectSummary Connect { get; set; } = new();
    public ServerMemory Server { get; set; } = new();
    public List<PhaseReport> Phases { get; set; } = [];
    /// <summary>The measured phase, or for a ramp the highest step that held (no loss, p99 within bound).</summary>
    public PhaseReport? Result { get; set; }
    public long Disconnects { get; set; }
    public long ProtocolErrors { get; set; }
    public long SubscribeErrors { get; set; }
    public long Unmatched { get; set; }
    public long Unplanned { get; set; }
    public SortedDictionary<string, long> Errors { get; set; } = [];
    /// <summary>No loss, no duplicates, every connection and subscription up (the smoke test's verdict).</summary>
    public bool Clean { get; set; }
}

public sealed class RunSettings
{
    public List<string> Urls { get; set; } = [];
    public int Connections { get; set; }
    public int Topics { get; set; }
    public int SubsPerConnection { get; set; }
    public double Rate { get; set; }
    public double DurationSeconds { get; set; }
    public double WarmupSeconds { get; set; }
    public int PayloadBytes { get; set; }
    public int Processes { get; set; }
    public int SourceIps { get; set; }
    public int? MaxRate { get; set; }
    public List<int> ServerPids { get; set; } = [];
    public string Publisher { get; set; } = "";
}

public sealed class ServerMemory
{
    public long RssBeforeKb { get; set; }
    public long RssAfterConnectKb { get; set; }
    public long RssEndKb { get; set; }
    /// <summary>(RSS after connecting - RSS before) / established connections.</summary>
    public double RssPerConnectionBytes { get; set; }
    /// <summary>With --idle: the servers' CPU use while holding the idle connections, % of one core.</summary>
    public double IdleCpuPercent { get; set; }
}

public sealed class PhaseReport
{
    public string Name { get; set; } = "";
    public double Rate { get; set; }
    public double Seconds { get; set; }
    public bool Measured { get; set; }
    public long Published { get; set; }
    public long PublishErrors { get; set; }
    public long PublishNoReceivers { get; set; }
    public double MaxPublishLagMs { get; set; }
    /// <summary>How late the publisher sent this phase's messages against their schedule (part of every latency below).</summary>
    public LatencySummary? PublishLag { get; set; }
    public long Expected { get; set; }
    public long Delivered { get; set; }
    /// <summary>Expected - delivered. With maxRate these are conflated away by design, not lost.</summary>
    public long Lost { get; set; }
    /// <summary>Subscriptions that never got the phase's last message of their topic (must be 0, with or without maxRate).</summary>
    public long FinalMissing { get; set; }
    public bool Conflating { get; set; }
    public long Duplicates { get; set; }
    public long OutOfOrder { get; set; }
    /// <summary>delivered / max(phase duration, scheduled phase start to the last delivery): a server that falls behind gets no credit for its backlog.</summary>
    public double DeliveredPerSec { get; set; }
    /// <summary>From the phase's scheduled start to its last delivery.</summary>
    public double DeliverySpanSeconds { get; set; }
    public long Frames { get; set; }
    public double FramesPerDelivery { get; set; }
    public LatencySummary Latency { get; set; } = new();
    /// <summary>The gateways' own bus-arrival-to-write histogram and GC over the phase (from /stats); null for Socket.IO or when /stats was not readable.</summary>
    public GatewayPhaseStats? Gateway { get; set; }
    /// <summary>A server process was gone by the end of the window: its CPU figures are left at 0.</summary>
    public bool ServerExited { get; set; }
    public double ServerCpuMs { get; set; }
    public double ServerCpuMsPer1kDeliveries { get; set; }
    public double ServerCpuUtilisation { get; set; }
    public double DeliveriesPerServerCpuSecond { get; set; }
    public double LoadGenCpuMs { get; set; }
    /// <summary>The whole machine's CPU use over the window (all cores); high with little server and load-generator CPU means a shared, busy machine.</summary>
    public double MachineCpuBusyPercent { get; set; }
    /// <summary>CPU used by everything else (Redis, and whatever else runs on the machine) over the window.</summary>
    public double OtherCpuMs { get; set; }
    public double LoadAverage { get; set; }
    public double WindowSeconds { get; set; }
    public double DrainSeconds { get; set; }
    public HistogramData? Histogram { get; set; }
}
