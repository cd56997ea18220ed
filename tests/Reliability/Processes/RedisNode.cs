using System.Diagnostics;
using PushGateway.Reliability.Measure;
using PushGateway.Reliability.Redis;

namespace PushGateway.Reliability.Processes;

/// <summary>
/// A real redis-server on a fixed loopback port, with an append-only file fsynced on every write
/// so history (and the function library) survives a SIGKILL and restart: the suite can then tell
/// "recovered" from "reported as a gap". The data directory lives on tmpfs when there is one, so
/// fsync costs nothing on a loaded machine; a killed process loses nothing either way.
/// </summary>
internal sealed class RedisNode
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly string dataDirectory;
    private readonly string logPath;
    private Process? process;

    public RedisNode(string runDirectory, string name)
    {
        Port = FreePort.Next();
        var tmpfs = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        dataDirectory = Path.Combine(tmpfs, $"pushgw-faults-{Path.GetFileName(runDirectory)}-{name}");
        logPath = Path.Combine(runDirectory, $"{name}.redis.log");
        Directory.CreateDirectory(dataDirectory);
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public int? Pid => process is { HasExited: false } ? process.Id : null;

    public bool IsRunning => process is { HasExited: false };

    public int Starts { get; private set; }

    /// <summary>
    /// Starts (or restarts on the same port and data) and returns once PING answers PONG: the data is
    /// loaded. With <paramref name="loadDelayMicrosPerKey"/>, loading is slowed down (Redis' own
    /// key-load-delay) and Redis answers LOADING to every command meanwhile, as a big AOF does in production.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken, int loadDelayMicrosPerKey = 0)
    {
        var arguments = new List<string>
        {
            "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--protected-mode", "no",
            "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir", dataDirectory,
        };
        if (loadDelayMicrosPerKey > 0)
        {
            // Serve clients (with -LOADING) every KB loaded rather than every 2 MB, so the window is seen from outside.
            arguments.AddRange(["--key-load-delay", loadDelayMicrosPerKey.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--loading-process-events-interval-bytes", "1024"]);
        }
        process = ChildProcesses.Start("redis-server", arguments, logPath);
        Starts++;
        var deadline = Clock.NowSeconds + StartTimeout.TotalSeconds;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited) throw new InvalidOperationException($"redis-server exited with {process.ExitCode}; see {logPath}");
            try
            {
                var reply = await CommandAsync(TimeSpan.FromSeconds(1), cancellationToken, "PING").ConfigureAwait(false);
                if (reply.AsString() == "PONG") return;
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // Not listening yet, or still loading the AOF: polling is the only readiness signal redis-server gives.
            }
            if (Clock.NowSeconds > deadline) throw new TimeoutException($"redis-server on {Port} not ready after {StartTimeout.TotalSeconds}s; see {logPath}");
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Adds <paramref name="keys"/> ballast keys and rewrites the AOF so they sit in its RDB base, which
    /// key-load-delay slows down: the next start spends about keys × delay answering LOADING.
    /// </summary>
    public async Task AddBallastAsync(int keys, CancellationToken cancellationToken)
    {
        await using var connection = await RespConnection.ConnectAsync(Port, TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
        var value = new string('b', 100);
        for (var i = 0; i < keys; i += 1000)
        {
            var batch = Enumerable.Range(i, Math.Min(1000, keys - i)).Select(k => new object[] { "SET", "rel:ballast:" + k.ToString(System.Globalization.CultureInfo.InvariantCulture), value }).ToList();
            var replies = await connection.PipelineAsync(batch, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            if (replies.FirstOrDefault(r => r.IsError) is { } error) throw new IOException("SET ballast: " + error.Text);
        }
        var rewrite = await connection.CommandAsync(TimeSpan.FromSeconds(5), cancellationToken, "BGREWRITEAOF").ConfigureAwait(false);
        if (rewrite.IsError) throw new IOException("BGREWRITEAOF: " + rewrite.Text);
        var deadline = Clock.NowSeconds + 30;
        while (true)
        {
            var info = (await connection.CommandAsync(TimeSpan.FromSeconds(5), cancellationToken, "INFO", "persistence").ConfigureAwait(false)).AsString() ?? "";
            if (info.Contains("aof_rewrite_in_progress:0", StringComparison.Ordinal) && info.Contains("aof_rewrite_scheduled:0", StringComparison.Ordinal)) return;
            if (Clock.NowSeconds > deadline) throw new TimeoutException("AOF rewrite did not finish within 30 s");
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>SIGKILL: no shutdown, no final AOF rewrite; what was fsynced is what survives.</summary>
    public void Kill()
    {
        if (process is not { HasExited: false }) return;
        Signals.Send(process.Id, Signals.SigKill);
        process.WaitForExit(5000);
    }

    /// <summary>One command on a fresh connection: probes must not depend on a connection that may have died with the server.</summary>
    public async Task<RespValue> CommandAsync(TimeSpan timeout, CancellationToken cancellationToken, params object[] args)
    {
        await using var connection = await RespConnection.ConnectAsync(Port, timeout, cancellationToken).ConfigureAwait(false);
        return await connection.CommandAsync(timeout, cancellationToken, args).ConfigureAwait(false);
    }

    /// <summary>PUBSUB NUMSUB for every channel: how many subscriptions (one per node that routes the topic) Redis holds.</summary>
    public async Task<Dictionary<string, long>> NumSubAsync(IReadOnlyList<string> channels, CancellationToken cancellationToken)
    {
        var args = new object[channels.Count + 2];
        args[0] = "PUBSUB";
        args[1] = "NUMSUB";
        for (var i = 0; i < channels.Count; i++) args[i + 2] = channels[i];
        var reply = await CommandAsync(TimeSpan.FromSeconds(2), cancellationToken, args).ConfigureAwait(false);
        if (reply.IsError) throw new IOException("PUBSUB NUMSUB: " + reply.Text);
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < reply.Items!.Length; i += 2) result[reply.Items[i].AsString()!] = reply.Items[i + 1].Integer;
        return result;
    }

    /// <summary>Channels subscribed per client name, summed over that name's connections (CLIENT LIST "sub=").</summary>
    public async Task<Dictionary<string, long>> SubscriptionsByClientNameAsync(CancellationToken cancellationToken)
    {
        var reply = await CommandAsync(TimeSpan.FromSeconds(2), cancellationToken, "CLIENT", "LIST").ConfigureAwait(false);
        if (reply.IsError) throw new IOException("CLIENT LIST: " + reply.Text);
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in reply.AsString()!.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string? name = null;
            long subscribed = 0;
            foreach (var field in line.Split(' '))
            {
                if (field.StartsWith("name=", StringComparison.Ordinal)) name = field[5..];
                else if (field.StartsWith("sub=", StringComparison.Ordinal)) subscribed = long.Parse(field[4..], System.Globalization.CultureInfo.InvariantCulture);
            }
            if (!string.IsNullOrEmpty(name)) result[name] = result.GetValueOrDefault(name) + subscribed;
        }
        return result;
    }

    public void DeleteData()
    {
        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
