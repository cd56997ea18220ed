using System.Net;
using PushGateway.Tests.Infrastructure;

namespace PushGateway.Tests.Lifecycle;

/// <summary>A node started before its Redis: it must come up not ready and turn ready by itself once Redis is there.</summary>
public sealed class RedisLateStartTests : IAsyncLifetime
{
    private readonly RedisServer redis = new();
    private readonly int port = RedisServer.FreePort();
    private GatewayNode node = null!;

    public Task InitializeAsync()
    {
        node = GatewayNode.Start(overrides: new Dictionary<string, string?> { ["Redis:ConnectionString"] = $"127.0.0.1:{port},abortConnect=false,connectTimeout=500" });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await node.DisposeAsync();
        await redis.DisposeAsync();
    }

    [Fact]
    public async Task A_node_started_before_Redis_turns_ready_once_Redis_answers_and_delivers()
    {
        using var http = new HttpClient { BaseAddress = node.HttpAddress };
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/readyz").Within()).StatusCode);

        await redis.StartAsync(port);

        await Bounded.Eventually(async () => (await http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK,
            "/readyz is 200 once Redis is there", TimeSpan.FromSeconds(30));
        var topic = "latestart." + Guid.NewGuid().ToString("N")[..8];
        await using var client = await node.ConnectAsync();
        await client.SubscribeAsync(topic);
        await node.PublishAsync(topic, """{"n":1}""");
        var message = await client.ReceiveMessageAsync();
        Assert.Equal(topic, message.GetProperty("topic").GetString());
        Assert.Equal(1, message.GetProperty("data").GetProperty("n").GetInt32());
    }
}
