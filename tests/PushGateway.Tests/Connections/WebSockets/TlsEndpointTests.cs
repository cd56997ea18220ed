using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using PushGateway.Connections.WebSockets;
using PushGateway.Observability;
using PushGateway.Tests.Infrastructure;

namespace PushGateway.Tests.Connections.WebSockets;

/// <summary>
/// The direct listener serves plain text, so it must stay off the ports Kestrel wraps in TLS: a
/// plain-text upgrade sent to one is refused (as Kestrel alone refuses it), never served in clear.
/// </summary>
public sealed class TlsEndpointTests
{
    [Theory]
    [InlineData("https://127.0.0.1:5001", 5001)]
    [InlineData("https://*:8443/", 8443)]
    [InlineData("https://+:7000", 7000)]
    [InlineData("HTTPS://[::]:9443", 9443)]
    [InlineData("https://[::1]", 443)]
    [InlineData("https://example.com/base", 443)]
    [InlineData(" https://localhost:0 ", 0)]
    public void Https_urls_give_their_port(string url, int port)
    {
        Assert.True(TlsPorts.TryGetHttpsPort(url, out var parsed));
        Assert.Equal(port, parsed);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5001")]
    [InlineData("https://[::1")]
    [InlineData("https://host:port")]
    [InlineData("https://host:70000")]
    [InlineData("")]
    [InlineData(null)]
    public void Other_urls_give_none(string? url) => Assert.False(TlsPorts.TryGetHttpsPort(url, out _));

    [Fact]
    public void Every_place_kestrel_reads_https_bindings_from_is_read()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["urls"] = "http://*:80;https://*:4431",
            ["https_ports"] = "4432;x",
            ["Kestrel:Endpoints:Secure:Url"] = "https://0.0.0.0:4433",
            ["Kestrel:Endpoints:Plain:Url"] = "http://0.0.0.0:8080",
        }).Build();
        Assert.Equal([4431, 4432, 4433], TlsPorts.From(configuration).Order());
    }

    [Fact]
    public async Task A_plain_upgrade_to_a_tls_port_is_refused_and_a_tls_one_is_served()
    {
        var certificate = Path.Combine(Path.GetTempPath(), $"pushgw-test-{Guid.NewGuid():N}.pfx");
        await File.WriteAllBytesAsync(certificate, SelfSignedPfx("secret"));
        try
        {
            int plainPort = FreePort(), tlsPort = FreePort();
            await using var node = GatewayNode.Start(overrides: new Dictionary<string, string?>
            {
                ["Kestrel:Endpoints:Plain:Url"] = $"http://127.0.0.1:{plainPort}",
                ["Kestrel:Endpoints:Tls:Url"] = $"https://127.0.0.1:{tlsPort}",
                ["Kestrel:Endpoints:Tls:Certificate:Path"] = certificate,
                ["Kestrel:Endpoints:Tls:Certificate:Password"] = "secret",
            });
            var addresses = node.Get<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
            Assert.Contains($"https://127.0.0.1:{tlsPort}", addresses);

            using (var plain = new TcpClient())
            {
                await plain.ConnectAsync(IPAddress.Loopback, tlsPort).Within();
                var answer = await ExchangeAsync(plain.GetStream(), tlsPort);
                Assert.False(answer.StartsWith("HTTP/1.1 101", StringComparison.Ordinal), "served in clear: " + answer);
            }

            using var secure = new TcpClient();
            await secure.ConnectAsync(IPAddress.Loopback, tlsPort).Within();
            await using var tls = new SslStream(secure.GetStream());
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            }).Within();
            Assert.StartsWith("HTTP/1.1 101", await ExchangeAsync(tls, tlsPort));
            await Bounded.Eventually(() => Task.FromResult(node.Get<GatewayMetrics>().ConnectionsCurrent == 1), "the TLS connection is counted");
            Assert.Equal(0, node.Get<GatewayMetrics>().Snapshot().DirectConnections);

            // The plain endpoint of the same node is still served directly.
            await using var client = await TestClient.ConnectAsync(new Uri($"ws://127.0.0.1:{plainPort}/ws"), null, false);
            await client.RoundTripAsync();
            Assert.Equal(1, node.Get<GatewayMetrics>().Snapshot().DirectConnections);
        }
        finally
        {
            File.Delete(certificate);
        }
    }

    /// <summary>Sends an upgrade and reads the answer's head, or what came before the peer closed or reset.</summary>
    private static async Task<string> ExchangeAsync(Stream stream, int port)
    {
        var head = $"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        var received = new StringBuilder();
        var buffer = new byte[4096];
        try
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head)).AsTask().Within();
            while (!received.ToString().Contains("\r\n\r\n"))
            {
                var n = await stream.ReadAsync(buffer).AsTask().Within();
                if (n == 0) break;
                received.Append(Encoding.Latin1.GetString(buffer, 0, n));
            }
        }
        catch (IOException)
        {
            // A reset: Kestrel's TLS handshake gave up on bytes that are not TLS.
        }
        return received.ToString();
    }

    private static byte[] SelfSignedPfx(string password)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return certificate.Export(X509ContentType.Pfx, password);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
