using System.Buffers;
using System.Text;
using PushGateway.Connections.WebSockets;

namespace PushGateway.Tests.Connections.WebSockets;

public class UpgradeRequestTests
{
    private const string Valid = "GET /ws?access_token=abc HTTP/1.1\r\nHost: gw\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: x, pushgw.msgpack\r\nOrigin: https://a.example\r\n\r\n";

    private static PeekVerdict Parse(string head, out UpgradeRequest? request, out long consumed) =>
        UpgradeRequest.TryParse(new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(head)), 16 * 1024, out request, out consumed);

    [Fact]
    public void A_valid_upgrade_is_taken_with_its_headers_query_and_offers()
    {
        Assert.Equal(PeekVerdict.Upgrade, Parse(Valid + "\x81\x80", out var request, out var consumed));
        Assert.Equal(Valid.Length, consumed);
        Assert.Equal("dGhlIHNhbXBsZSBub25jZQ==", request!.Key);
        Assert.Equal("?access_token=abc", request.QueryString);
        Assert.Equal(["x", "pushgw.msgpack"], request.RequestedProtocols());
        Assert.Equal("https://a.example", request.Header("origin").ToString());
    }

    [Fact]
    public void A_head_still_arriving_needs_more_data()
    {
        for (var cut = 1; cut < Valid.Length; cut += 7)
            Assert.Equal(PeekVerdict.NeedMoreData, Parse(Valid[..cut], out _, out _));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: gw\r\n\r\n")]
    [InlineData("POST /ws HTTP/1.1\r\n")]
    [InlineData("GET /wsx HTTP/1.1\r\n")]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")]
    [InlineData("\x16\x03\x01\x02\x00\x01\x00")]
    public void Other_requests_are_not_ours_from_their_first_bytes(string head) =>
        Assert.Equal(PeekVerdict.NotOurs, Parse(head, out _, out _));

    [Theory]
    [InlineData("Host: gw\r\n", "")]
    [InlineData("Host: gw\r\n", "Host: gw\r\nHost: other\r\n")]
    [InlineData("Sec-WebSocket-Version: 13\r\n", "Sec-WebSocket-Version: 8\r\n")]
    [InlineData("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", "Sec-WebSocket-Key: short\r\n")]
    [InlineData("Upgrade: websocket\r\n", "Upgrade: h2c\r\n")]
    [InlineData("Connection: keep-alive, Upgrade\r\n", "Connection: keep-alive\r\n")]
    [InlineData("Host: gw\r\n", "Host: gw\r\nContent-Length: 5\r\n")]
    [InlineData("Host: gw\r\n", "Host : gw\r\n")]
    [InlineData("Host: gw\r\n", "Host: gw\r\n folded\r\n")]
    [InlineData("HTTP/1.1", "HTTP/1.0")]
    public void Anything_odd_is_left_to_kestrel(string from, string to) =>
        Assert.Equal(PeekVerdict.NotOurs, Parse(Valid.Replace(from, to), out _, out _));
}
