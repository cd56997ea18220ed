using System.Text.Json;
using PushGateway.Observability;
using PushGateway.Tests.Infrastructure;

namespace PushGateway.Tests.Integration;

/// <summary>
/// A fan-out's writes go to the kernel together through io_uring (Gateway:IoUringSends, on by default) or one
/// send() each: either way every subscriber gets every message in order, including one whose socket is full
/// while the others read, whose frames then continue asynchronously behind what the kernel took.
/// </summary>
public sealed class BatchedSendTests
{
    private static int N(JsonElement message) => message.GetProperty("data").GetProperty("n").GetInt32();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Every_subscriber_of_a_fan_out_gets_every_message_in_order(bool ioUring)
    {
        await using var node = GatewayNode.Start(overrides: new Dictionary<string, string?> { ["Gateway:IoUringSends"] = ioUring.ToString() });
        var topic = "batched." + Guid.NewGuid().ToString("N")[..8];
        var clients = new List<TestClient>();
        for (var i = 0; i < 12; i++)
        {
            var client = await node.ConnectAsync();
            await client.SubscribeAsync(topic);
            clients.Add(client);
        }
        const int total = 300;
        for (var n = 0; n < total; n++) await node.PublishAsync(topic, $$"""{"n":{{n}}}""");

        foreach (var client in clients)
        {
            for (var n = 0; n < total; n++) Assert.Equal(n, N(await client.ReceiveMessageAsync()));
            await client.DisposeAsync();
        }
        // What tells an operator whether io_uring is in use (pushgw.frames.batched, framesBatched in /stats).
        var stats = node.Get<GatewayMetrics>().Snapshot();
        if (ioUring) Assert.InRange(stats.FramesBatched, 1, stats.FramesWritten);
        else Assert.Equal(0, stats.FramesBatched);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_subscriber_whose_socket_fills_gets_the_rest_once_it_reads_and_costs_the_others_nothing(bool ioUring)
    {
        await using var node = GatewayNode.Start(overrides: new Dictionary<string, string?>
        {
            ["Gateway:IoUringSends"] = ioUring.ToString(),
            ["Gateway:SlowConsumerTimeout"] = "00:05:00",
            ["Gateway:SendQueueBytes"] = "16777216",
        });
        var topic = "batched." + Guid.NewGuid().ToString("N")[..8];
        await using var stalled = await node.ConnectAsync(paused: true);
        await stalled.SendAsync($$"""{"type":"subscribe","id":1,"topic":"{{topic}}"}""");
        await using var reader = await node.ConnectAsync();
        await reader.SubscribeAsync(topic);
        // The reader's reply is sent after the stalled client's subscribe was handled (one node, in order), so both are subscribed.
        var pad = new string('x', 16_000);
        // About 6.4 MB: past what the kernel buffers for a peer that reads nothing (a send buffer grows to 4 MiB by default),
        // inside the 16 MiB send queue.
        const int total = 400;
        for (var n = 0; n < total; n++)
        {
            await node.PublishAsync(topic, $$"""{"n":{{n}},"pad":"{{pad}}"}""");
            Assert.Equal(n, N(await reader.ReceiveMessageAsync()));
        }

        stalled.Resume();
        Assert.Equal(1, (await stalled.ReceiveAsync()).GetProperty("id").GetInt32());
        for (var n = 0; n < total; n++) Assert.Equal(n, N(await stalled.ReceiveMessageAsync(TimeSpan.FromSeconds(30))));
        Assert.Equal(0, node.Get<GatewayMetrics>().ClosedCount("slow_consumer"));
    }
}
