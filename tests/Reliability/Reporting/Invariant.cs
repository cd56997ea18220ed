namespace PushGateway.Reliability.Reporting;

/// <summary>One thing that must hold, whether it did, and the figures that show it.</summary>
internal sealed record Invariant(string Name, bool Passed, string Detail);
