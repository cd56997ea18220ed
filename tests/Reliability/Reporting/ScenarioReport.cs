using PushGateway.Reliability.Clients;

namespace PushGateway.Reliability.Reporting;

/// <summary>What a scenario did and measured, and which invariants held. Serialised as is for --json.</summary>
internal sealed class ScenarioReport(string scenario, string size)
{
    public string Scenario { get; } = scenario;

    public string Size { get; } = size;

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    public double DurationSeconds { get; set; }

    public bool Passed => Error is null && Invariants.Count > 0 && Invariants.All(i => i.Passed);

    /// <summary>Set when the scenario could not run to its end (a setup failure, a timeout): it then fails.</summary>
    public string? Error { get; set; }

    public List<string> Faults { get; } = [];

    public int Clients { get; set; }

    public int Nodes { get; set; }

    public long Published { get; set; }

    public long PublishFailures { get; set; }

    public long PublishUnresolvable { get; set; }

    public long PublisherAnomalies { get; set; }

    /// <summary>The healthy clients' account: expected deliveries (client × topic × published message) and what became of them.</summary>
    public TopicAccount? Healthy { get; set; }

    public int Reconnects { get; set; }

    public Dictionary<int, int> CloseCodes { get; set; } = [];

    public double ReconnectP50Ms { get; set; } = double.NaN;

    public double ReconnectP99Ms { get; set; } = double.NaN;

    public double ReconnectMaxMs { get; set; } = double.NaN;

    public double LatencyP50Ms { get; set; } = double.NaN;

    public double LatencyP99Ms { get; set; } = double.NaN;

    public long ParseErrors { get; set; }

    public List<NodeFigures> Processes { get; } = [];

    /// <summary>Figures particular to the scenario (Redis-to-live times, pause catch-up, the slow clients' fate, soak samples).</summary>
    public SortedDictionary<string, string> Figures { get; } = new(StringComparer.Ordinal);

    public List<Invariant> Invariants { get; } = [];

    public void Check(string name, bool passed, string detail) => Invariants.Add(new Invariant(name, passed, detail));

    public void Figure(string name, string value) => Figures[name] = value;
}
