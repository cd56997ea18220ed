using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using PushGateway.Reliability.Measure;

namespace PushGateway.Reliability.Processes;

/// <summary>
/// One gateway node: the Release build of src/PushGateway as a real process on a fixed loopback port
/// (a restart reuses it, so clients' node lists stay valid), with its output in the run directory.
/// </summary>
internal sealed class GatewayNode
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(3) };
    private readonly string dll;
    private readonly IReadOnlyList<string> settings;
    private readonly string logPath;
    private Process? process;
    private Run? current;

    public GatewayNode(int index, string dll, string runDirectory, string scenario, string redisConnectionString, IReadOnlyList<string> settings)
    {
        Index = index;
        Port = FreePort.Next();
        this.dll = dll;
        RedisClientName = string.Create(CultureInfo.InvariantCulture, $"rel-{scenario}-node{index}");
        // A client name per node (the gateway keeps a configured one) lets CLIENT LIST say which node a Redis connection belongs to.
        this.settings = [$"--Redis:ConnectionString={redisConnectionString},name={RedisClientName}", .. settings];
        logPath = Path.Combine(runDirectory, $"{scenario}.node{index}.log");
        HttpAddress = new Uri($"http://127.0.0.1:{Port}");
        WebSocketAddress = new Uri($"ws://127.0.0.1:{Port}/ws");
    }

    public int Index { get; }

    /// <summary>The name this node's connections carry in Redis' CLIENT LIST.</summary>
    public string RedisClientName { get; }

    public int Port { get; }

    public Uri HttpAddress { get; }

    public Uri WebSocketAddress { get; }

    public string LogPath => logPath;

    public int? Pid => process is { HasExited: false } ? process.Id : null;

    public bool IsRunning => process is { HasExited: false };

    /// <summary>Exits nobody asked for (a crash): the invariant "no node crashes" reads this.</summary>
    public int UnexpectedExits { get; private set; }

    public int? LastExitCode { get; private set; }

    public void Start()
    {
        if (process is { HasExited: false }) throw new InvalidOperationException($"node {Index} is already running");
        var arguments = new List<string> { dll, "--urls", HttpAddress.ToString().TrimEnd('/') };
        arguments.AddRange(settings);
        process = ChildProcesses.Start("dotnet", arguments, logPath, Path.GetDirectoryName(dll));
        // Each start has its own "stop requested" flag: the Exited event of a process killed on purpose may
        // arrive after the next start, and must not be mistaken for a crash of the new one.
        var run = current = new Run(process);
        run.Process.EnableRaisingEvents = true;
        run.Process.Exited += (_, _) =>
        {
            LastExitCode = SafeExitCode(run.Process);
            if (!run.StopRequested) UnexpectedExits++;
        };
    }

    /// <summary>Waits until /readyz answers 200: listening, and its Redis link is up.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Clock.NowSeconds + timeout.TotalSeconds;
        while (!await IsReadyAsync(cancellationToken).ConfigureAwait(false))
        {
            if (process is not { HasExited: false }) throw new InvalidOperationException($"node {Index} exited during startup; see {logPath}");
            if (Clock.NowSeconds > deadline) throw new TimeoutException($"node {Index} not ready after {timeout.TotalSeconds}s; see {logPath}");
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await Http.GetAsync(new Uri(HttpAddress, "/readyz"), cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>The /stats document, or null when the node does not answer.</summary>
    public async Task<JsonDocument?> StatsAsync(CancellationToken cancellationToken)
    {
        try
        {
            var body = await Http.GetStringAsync(new Uri(HttpAddress, "/stats"), cancellationToken).ConfigureAwait(false);
            return JsonDocument.Parse(body);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>How many connections this node closed for <paramref name="reason"/> (/stats connectionsClosed), or null when it does not answer.</summary>
    public async Task<long?> ClosedCountAsync(string reason, CancellationToken cancellationToken)
    {
        using var stats = await StatsAsync(cancellationToken).ConfigureAwait(false);
        if (stats is null) return null;
        return stats.RootElement.GetProperty("stats").GetProperty("connectionsClosed").TryGetProperty(reason, out var count) ? count.GetInt64() : 0;
    }

    public ProcSample? Sample() => Pid is { } pid ? ProcSample.Read(pid) : null;

    /// <summary>SIGKILL: the node gets no chance to tell anyone.</summary>
    public void Kill()
    {
        if (process is not { HasExited: false }) return;
        current!.StopRequested = true;
        Signals.Send(process.Id, Signals.SigKill);
        process.WaitForExit(5000);
    }

    /// <summary>SIGTERM: the graceful drain (4001 to every client over Gateway:DrainGracePeriod), then exit.</summary>
    public void Terminate()
    {
        if (process is not { HasExited: false }) return;
        current!.StopRequested = true;
        Signals.Send(process.Id, Signals.SigTerm);
    }

    /// <summary>True when the process exited within <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (process is null) return true;
        try
        {
            await process.WaitForExitAsync(cancellationToken).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            LastExitCode = SafeExitCode(process);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static int? SafeExitCode(Process process)
    {
        try
        {
            return process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private sealed class Run(Process process)
    {
        public Process Process { get; } = process;

        public volatile bool StopRequested;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"node{Index}@{Port}");
}
