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

    /// <summary>Starts (or restarts on the same port and data) and returns once PING answers PONG: the AOF is loaded.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        process = ChildProcesses.Start("redis-server",
        [
            "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--protected-mode", "no",
            "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir", dataDirectory,
        ], logPath);
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
