namespace PushGateway.Reliability.Scenarios;

/// <summary>
/// What a scenario's cluster looks like: nodes, clients and topics, the publish rate (over all
/// regular topics) and payload filler, extra gateway settings, and optional "bulk" topics (large
/// payloads at a high rate) that no healthy client gets unless the scenario subscribes one.
/// </summary>
internal sealed record ClusterShape(
    int Nodes,
    int Clients,
    int Topics,
    int TopicsPerClient,
    double RatePerSecond,
    int PadBytes,
    IReadOnlyList<string> GatewaySettings,
    int BulkTopics = 0,
    double BulkRatePerTopic = 0,
    int BulkPadBytes = 0);
