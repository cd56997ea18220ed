using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace PushGateway.Testing;

/// <summary>
/// Shared by the test projects (linked from tests/Shared). A real redis-server on a free loopback port, started for the test run (or REDIS_URL when set).
/// Shared by the tests of a collection; each test uses its own topics, so they do not interfere.
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    private Process? process;

    public string ConnectionString { get; private set; } = "";

    public int Port { get; private set; }

    public ConnectionMultiplexer Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable("REDIS_URL");
        if (!string.IsNullOrEmpty(external))
        {
            ConnectionString = external.Replace("redis://", "", StringComparison.Ordinal).TrimEnd('/');
        }
        else
        {
            await StartAsync(FreePort());
        }
        Client = await ConnectionMultiplexer.ConnectAsync(ConnectionString);
    }

    /// <summary>
    /// Starts (or restarts, after <see cref="Kill"/>) the server on <paramref name="port"/>; without
    /// persistence unless <paramref name="arguments"/> asks for it (they come last and win).
    /// </summary>
    public async Task StartAsync(int port, string arguments = "")
    {
        Port = port;
        ConnectionString = $"127.0.0.1:{port}";
        var info = new ProcessStartInfo("redis-server", $"--port {port} --bind 127.0.0.1 --save \"\" --appendonly no --protected-mode no {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("redis-server is not installed: run scripts/test.sh, which installs it, or set REDIS_URL", ex);
        }
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        await WaitUntilAcceptingAsync(port);
    }

    public void Kill()
    {
        if (process is { HasExited: false }) process.Kill();
        process?.WaitForExit(5000);
    }

    public async Task<long> NumSubAsync(string channel)
    {
        var result = await Client.GetDatabase().ExecuteAsync("PUBSUB", "NUMSUB", channel);
        return (long)((RedisResult[])result!)[1];
    }

    /// <summary>(channels, patterns) subscribed by the connections named <paramref name="clientName"/>, from CLIENT LIST.</summary>
    public async Task<(int Channels, int Patterns)> SubscriptionsOfAsync(string clientName)
    {
        var list = (string)(await Client.GetDatabase().ExecuteAsync("CLIENT", "LIST"))!;
        int channels = 0, patterns = 0;
        foreach (var line in list.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ').Select(f => f.Split('=', 2)).Where(f => f.Length == 2).ToDictionary(f => f[0], f => f[1]);
            if (fields.GetValueOrDefault("name") != clientName) continue;
            channels += int.Parse(fields["sub"]);
            patterns += int.Parse(fields["psub"]);
        }
        return (channels, patterns);
    }

    /// <summary>Closes, from Redis's side, the subscribed connections named <paramref name="clientName"/>; returns how many.</summary>
    public async Task<int> KillSubscribersAsync(string clientName)
    {
        var list = (string)(await Client.GetDatabase().ExecuteAsync("CLIENT", "LIST"))!;
        var killed = 0;
        foreach (var line in list.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ').Select(f => f.Split('=', 2)).Where(f => f.Length == 2).ToDictionary(f => f[0], f => f[1]);
            if (fields.GetValueOrDefault("name") != clientName || int.Parse(fields["sub"]) + int.Parse(fields["psub"]) == 0) continue;
            await Client.GetDatabase().ExecuteAsync("CLIENT", "KILL", "ID", fields["id"]);
            killed++;
        }
        return killed;
    }

    public async Task<long> NumPatAsync() => (long)await Client.GetDatabase().ExecuteAsync("PUBSUB", "NUMPAT");

    public Task<long> PublishAsync(string channel, string payload) => Client.GetSubscriber().PublishAsync(channel, payload);

    public async Task DisposeAsync()
    {
        if (Client is not null) await Client.CloseAsync();
        Kill();
        process?.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitUntilAcceptingAsync(int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            try
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                // The server binds within milliseconds; polling its port is the only readiness signal it gives.
                await Task.Delay(20);
            }
        }
    }
}
