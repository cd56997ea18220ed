using System.Diagnostics;
using System.Text.Json;
using LoadGen.Reporting;

namespace LoadGen.Coordination;

/// <summary>A share of the subscribers in a child process of this same program (<c>--processes P</c>).</summary>
public sealed class ChildProcessWorker : IWorker
{
    private readonly Process _process;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public ChildProcessWorker(IReadOnlyList<string> args)
    {
        var self = Environment.ProcessPath ?? "dotnet";
        var psi = new ProcessStartInfo(self)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") psi.ArgumentList.Add(typeof(ChildProcessWorker).Assembly.Location);
        foreach (var a in args) psi.ArgumentList.Add(a);
        _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start a worker process");
    }

    public int Pid => _process.Id;

    public async Task<ConnectSummary> ConnectAsync(CancellationToken ct) =>
        Parse<ConnectSummary>(await ReadAsync("READY", ct));

    public async Task<PhaseProgress> ProgressAsync(int phase) => Parse<PhaseProgress>(await AskAsync($"PROGRESS {phase}", "PROGRESS"));

    public async Task<WorkerReport> ReportAsync() => Parse<WorkerReport>(await AskAsync("REPORT", "REPORT"));

    public async Task StopAsync()
    {
        try { await AskAsync("STOP", "STOPPED").WaitAsync(TimeSpan.FromSeconds(30)); }
        catch (Exception e) when (e is IOException or TimeoutException or InvalidOperationException) { }
    }

    private async Task<string> AskAsync(string command, string answer)
    {
        await _gate.WaitAsync();
        try
        {
            await _process.StandardInput.WriteLineAsync(command);
            await _process.StandardInput.FlushAsync();
            return await ReadAsync(answer, CancellationToken.None);
        }
        finally { _gate.Release(); }
    }

    private async Task<string> ReadAsync(string prefix, CancellationToken ct)
    {
        while (true)
        {
            var line = await _process.StandardOutput.ReadLineAsync(ct)
                ?? throw new InvalidOperationException($"worker {_process.Id} exited before answering {prefix}");
            if (line.StartsWith(prefix, StringComparison.Ordinal)) return line[prefix.Length..].Trim();
            await Console.Error.WriteLineAsync($"[worker {_process.Id}] {line}");
        }
    }

    private static T Parse<T>(string json) where T : new() =>
        json.Length == 0 ? new T() : JsonSerializer.Deserialize<T>(json, WorkerChannel.Json) ?? new T();

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try { _process.Kill(); } catch (InvalidOperationException) { }
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
