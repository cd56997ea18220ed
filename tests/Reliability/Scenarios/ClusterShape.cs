namespace PushGateway.Reliability.Scenarios;

/// <summary>What a scenario's cluster looks like: nodes, clients and topics, the publish rate and payload size, and extra gateway settings.</summary>
internal sealed record ClusterShape(
    int Nodes,
    int Clients,
    int Topics,
    int TopicsPerClient,
    double RatePerSecond,
    int PadBytes,
    IReadOnlyList<string> GatewaySettings);
