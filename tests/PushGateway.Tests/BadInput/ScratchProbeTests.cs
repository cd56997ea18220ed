using System.Text;
using PushGateway.Tests.Infrastructure;

namespace PushGateway.Tests.BadInput;

public sealed class ScratchProbeTests
{
    [Theory]
    [InlineData(5000L, 5000)]
    [InlineData(1L << 62, 5000)]
    [InlineData(70000L, 5000)]
    [InlineData(0L, -1)]
    public async Task Probe(long declared, int sent)
    {
        await using var node = GatewayNode.Start(overrides: new Dictionary<string, string?> { ["Gateway:MaxMessageBytes"] = "4096" });
        await using var socket = await RawWebSocket.ConnectAsync(node.WebSocketAddress);
        if (sent < 0) await socket.SendFrameAsync(0x1, [0x7B, 0xFF, 0x7D]);
        else await socket.SendFrameAsync(0x1, new byte[sent], declaredLength: declared);
        var texts = new List<string>();
        var close = await socket.ReadUntilClosedAsync(texts);
        Assert.Fail($"close {close} texts {string.Join("|", texts)}");
    }
}
