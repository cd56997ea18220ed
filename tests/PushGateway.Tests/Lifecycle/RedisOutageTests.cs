using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using PushGateway.Tests.Infrastructure;
using StackExchange.Redis;

namespace PushGateway.Tests.Lifecycle;

/// <summary>
/// Redis goes away and comes back under a running node. It has its own redis-server (not the shared
/// collection's), because it kills it.
/// </summary>
public sealed class RedisOutageTests : IAsyncLifetime
{
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(30);
    private readonly RedisServer redis = new();
    private GatewayNode node = null!;
    private ConnectionMultiplexer observer = null!;

    public async Task InitializeAsync()
    {
        // Always a local server, even when REDIS_URL points elsewhere: this test must be able to kill it.
        await redis.StartAsync(RedisServer.FreePort());
        var options = ConfigurationOptions.Parse(redis.ConnectionString);
        options.AbortOnConnectFail = false;
        observer = await ConnectionMultiplexer.ConnectAsync(options);
        node = GatewayNode.Start(redis);
    }

    public async Task DisposeAsync()
    {
        await node.DisposeAsync();
        await observer.CloseAsync();
        observer.Dispose();
        await redis.DisposeAsync();
    }

    [Fact]
    public async Task The_node_keeps_its_clients_reports_not_ready_and_recovers_by_itself()
    {
        var topic = "outage." + Guid.NewGuid().ToString("N")[..8];
        using var http = new HttpClient { BaseAddress = node.HttpAddress };
        await using var client = await node.ConnectAsync();
        await client.SubscribeAsync(topic);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz").Within()).StatusCode);

        redis.Kill();

        await Bounded.Eventually(async () => (await http.GetAsync("/readyz")).StatusCode == HttpStatusCode.ServiceUnavailable,
            "/readyz turns 503 once Redis is gone");
        Assert.Contains("redis", await (await http.GetAsync("/readyz").Within()).Content.ReadAsStringAsync());
        using (var stats = JsonDocument.Parse(await http.GetStringAsync("/stats").Within()))
        {
            Assert.False(stats.RootElement.GetProperty("ready").GetBoolean());
            Assert.False(stats.RootElement.GetProperty("stats").GetProperty("busConnected").GetBoolean());
        }
        await client.RoundTripAsync();
        Assert.Equal(WebSocketState.Open, client.Socket.State);

        await redis.StartAsync(redis.Port);

        await Bounded.Eventually(async () => (await http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK,
            "/readyz is 200 again once Redis is back", Recovery);
        await Bounded.Eventually(async () => await NumSubAsync(topic) == 1, "the node re-subscribed its topic", Recovery);
        Assert.Equal(1, await observer.GetSubscriber().PublishAsync(topic, """{"after":"recovery"}""").Within());

        var message = await client.ReceiveMessageAsync();
        Assert.Equal(topic, message.GetProperty("topic").GetString());
        Assert.Equal("recovery", message.GetProperty("data").GetProperty("after").GetString());
        Assert.Equal(WebSocketState.Open, client.Socket.State);
    }

    /// <summary>PUBSUB NUMSUB through the test's own connection, which may itself still be reconnecting.</summary>
    private async Task<long> NumSubAsync(string channel)
    {
        try
        {
            var result = (RedisResult[])(await observer.GetDatabase().ExecuteAsync("PUBSUB", "NUMSUB", channel))!;
            return (long)result[1];
        }
        catch (RedisException)
        {
            return -1;
        }
        catch (TimeoutException)
        {
            return -1;
        }
    }
}
