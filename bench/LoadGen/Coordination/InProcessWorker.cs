using LoadGen.Clients;
using LoadGen.Reporting;

namespace LoadGen.Coordination;

/// <summary>The subscribers run in the coordinator's own process (the default, <c>--processes 1</c>).</summary>
public sealed class InProcessWorker(ClientPool pool) : IWorker
{
    public int Pid => Environment.ProcessId;

    public Task<ConnectSummary> ConnectAsync(CancellationToken ct) => pool.ConnectAllAsync(ct);

    public Task<PhaseProgress> ProgressAsync(int phase)
    {
        var (delivered, expected, arrivals) = pool.Progress(phase);
        return Task.FromResult(new PhaseProgress { Delivered = delivered, Expected = expected, Arrivals = arrivals });
    }

    public Task<WorkerReport> ReportAsync() => Task.FromResult(pool.BuildReport());

    public Task StopAsync() => pool.StopAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
