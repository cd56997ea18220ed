using System.Diagnostics;
using System.Text;
using PushGateway.Tests.Infrastructure;

namespace PushGateway.Tests.BadInput;

public sealed class ScratchProbeTests
{
    [Theory]
    [InlineData(1L << 62, 5000)]
    [InlineData(1L << 31, 5000)]
    [InlineData((1L << 31) - 1, 5000)]
    public async Task Probe(long declared, int sent)
    {
        await using var node = GatewayNode.Start(overrides: new Dictionary<string, string?> { ["Gateway:MaxMessageBytes"] = "4096" });
        await using var socket = await RawWebSocket.ConnectAsync(node.WebSocketAddress);
        await socket.SendFrameAsync(0x1, new byte[sent], declaredLength: declared);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        await Task.Delay(3000);
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        var conns = node.Get<PushGateway.Connections.ConnectionRegistry>().Snapshot().Select(c => $"{c.Id}:{c.CloseReason}").ToList();
        Assert.Fail($"cpu {used.TotalMilliseconds}ms conns {string.Join(",", conns)}");
    }
}
