using LoadGen.Reporting;

namespace LoadGen.Coordination;

/// <summary>A share of the subscribers, in this process or a child process; the coordinator drives them alike.</summary>
public interface IWorker : IAsyncDisposable
{
    Task<ConnectSummary> ConnectAsync(CancellationToken ct);
    Task<PhaseProgress> ProgressAsync(int phase);
    Task<WorkerReport> ReportAsync();
    Task StopAsync();
    /// <summary>The OS process the clients run in, so its CPU can be read too.</summary>
    int Pid { get; }
}
