using PushGateway.Reliability.Processes;

namespace PushGateway.Reliability.Reporting;

/// <summary>A process' /proc figures at the start and the end of a scenario (a different pid at the end means it was restarted).</summary>
internal sealed record NodeFigures(string Name, ProcSample? Before, ProcSample? After)
{
    public bool Restarted => Before is not null && After is not null && Before.Pid != After.Pid;
}
