using System.Net;
using System.Net.WebSockets;
using PushGateway.Tests.Infrastructure;

namespace PushGateway.Tests.Security;

/// <summary>Opens /ws with any headers and reports the HTTP status of the handshake (101 when it was accepted).</summary>
internal static class Handshake
{
    public static async Task<HttpStatusCode> StatusAsync(Uri uri, Action<ClientWebSocketOptions>? configure = null)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        configure?.Invoke(socket.Options);
        try
        {
            await socket.ConnectAsync(uri, CancellationToken.None).Within();
            socket.Abort();
            return HttpStatusCode.SwitchingProtocols;
        }
        catch (WebSocketException)
        {
            return socket.HttpStatusCode;
        }
    }

    public static Uri WithToken(this GatewayNode node, string token) =>
        new($"{node.WebSocketAddress}?access_token={Uri.EscapeDataString(token)}");

    public static Task<TestClient> ConnectWithTokenAsync(this GatewayNode node, string token) =>
        TestClient.ConnectAsync(node.WithToken(token));
}
