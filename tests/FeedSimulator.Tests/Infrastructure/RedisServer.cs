using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace FeedSimulator.Tests.Infrastructure;

/// <summary>A real redis-server on a free loopback port for the tests of one class (or REDIS_URL when set).</summary>
public sealed class RedisServer : IAsyncLifetime
{
    private Process? process;

    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable("REDIS_URL");
        if (!string.IsNullOrEmpty(external))
        {
            ConnectionString = external.Replace("redis://", "", StringComparison.Ordinal).TrimEnd('/');
            return;
        }
        var port = FreePort();
        ConnectionString = $"127.0.0.1:{port}";
        var info = new ProcessStartInfo("redis-server", $"--port {port} --bind 127.0.0.1 --save \"\" --appendonly no --protected-mode no")
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
            throw new InvalidOperationException("redis-server is not installed: install it (apt-get install redis-server) or set REDIS_URL", ex);
        }
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        await WaitUntilAcceptingAsync(port);
    }

    public Task DisposeAsync()
    {
        if (process is { HasExited: false }) process.Kill();
        process?.WaitForExit(5000);
        process?.Dispose();
        return Task.CompletedTask;
    }

    private static int FreePort()
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
