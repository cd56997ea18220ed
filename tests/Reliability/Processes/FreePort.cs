using System.Net;
using System.Net.Sockets;

namespace PushGateway.Reliability.Processes;

/// <summary>A loopback port nobody listens on right now (the kernel picks it); restarts reuse the same port.</summary>
internal static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
