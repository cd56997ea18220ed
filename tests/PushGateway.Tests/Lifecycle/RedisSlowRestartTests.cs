using System.Net;
using PushGateway.Tests.Infrastructure;
using StackExchange.Redis;

namespace PushGateway.Tests.Lifecycle;

/// <summary>
/// Redis restarted with data to load, as a production Redis with a big AOF is: for a few seconds it
/// accepts connections but answers LOADING. The client library reports its connections restored
/// meanwhile and its own resubscribe is lost; the node must notice (its liveness probe finds no
/// subscriber), subscribe again, and tell no client of a gap that is not there. Its own redis-server,
/// with an AOF in a temporary directory, because it kills it.
/// </summary>
public sealed class RedisSlowRestartTests : IAsyncLifetime
{
    private const int BallastKeys = 20_000;
    private readonly RedisServer redis = new();
    private readonly string dataDirectory = Directory.CreateTempSubdirectory("pushgw-slow-restart-").FullName;
    private readonly List<GatewayNode> nodes = [];
    private ConnectionMultiplexer observer = null!;

    private string Persistent => $"--appendonly yes --appendfsync always --dir {dataDirectory}";

    public async Task InitializeAsync()
    {
        await redis.StartAsync(RedisServer.FreePort(), Persistent);
        var options = ConfigurationOptions.Parse(redis.ConnectionString);
        options.AbortOnConnectFail = false;
        observer = await ConnectionMultiplexer.ConnectAsync(options);
        // Three nodes: whether the client library's resubscribe hits the LOADING window is a race each node runs.
        for (var i = 0; i < 3; i++) nodes.Add(GatewayNode.Start(redis));
    }

    public async Task DisposeAsync()
    {
        foreach (var node in nodes) await node.DisposeAsync();
        await observer.CloseAsync();
        observer.Dispose();
        await redis.DisposeAsync();
        Directory.Delete(dataDirectory, recursive: true);
    }

    [Fact]
    public async Task After_a_restart_that_answers_LOADING_every_node_subscribes_again_and_reports_no_false_gap()
    {
        var topic = "slowload." + Guid.NewGuid().ToString("N")[..8];
        var clients = new List<TestClient>();
        foreach (var node in nodes)
        {
            var client = await node.ConnectAsync();
            clients.Add(client);
            await client.SubscribeAsync(topic);
        }
        await nodes[0].PublishAsync(topic, """{"n":1}""");
        var firstSeq = new List<long>();
        foreach (var client in clients) firstSeq.Add((await client.ReceiveMessageAsync()).GetProperty("seq").GetInt64());
        await AddBallastAsync();

        redis.Kill();
        // A key-load-delay makes Redis answer LOADING for about BallastKeys x 100 us once it accepts connections.
        await redis.StartAsync(redis.Port, Persistent + " --key-load-delay 100 --loading-process-events-interval-bytes 1024");
        await Bounded.Eventually(async () => await PingAsync(), "Redis finished loading", TimeSpan.FromSeconds(60));

        await Bounded.Eventually(async () => await NumSubAsync(topic) == nodes.Count, "every node subscribed its topic again", TimeSpan.FromSeconds(30));
        foreach (var node in nodes)
        {
            using var http = new HttpClient { BaseAddress = node.HttpAddress };
            await Bounded.Eventually(async () => (await http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK, "/readyz is 200 again", TimeSpan.FromSeconds(30));
        }
        await nodes[0].PublishAsync(topic, """{"n":2}""");

        for (var i = 0; i < clients.Count; i++)
        {
            var next = await clients[i].WaitForAsync(o => o.GetProperty("type").GetString() is "message" or "gap");
            Assert.Equal("message", next.GetProperty("type").GetString());
            Assert.Equal(firstSeq[i] + 1, next.GetProperty("seq").GetInt64());
            Assert.Equal(2, next.GetProperty("data").GetProperty("n").GetInt32());
            await clients[i].RoundTripAsync();
            Assert.True(clients[i].NothingPending, "no gap notice or other frame besides the pong");
            await clients[i].DisposeAsync();
        }
    }

    private async Task AddBallastAsync()
    {
        var database = observer.GetDatabase();
        var value = new string('b', 100);
        var writes = Enumerable.Range(0, BallastKeys).Select(k => database.StringSetAsync("ballast:" + k, value)).ToList();
        await Task.WhenAll(writes).Within(TimeSpan.FromSeconds(60));
        // Rewritten into the AOF's base, which key-load-delay slows down on the next start.
        await database.ExecuteAsync("BGREWRITEAOF").Within();
        await Bounded.Eventually(async () =>
        {
            var info = (string)(await database.ExecuteAsync("INFO", "persistence"))!;
            return info.Contains("aof_rewrite_in_progress:0") && info.Contains("aof_rewrite_scheduled:0");
        }, "the AOF rewrite finished", TimeSpan.FromSeconds(60));
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            return (string?)await observer.GetDatabase().ExecuteAsync("PING") == "PONG";
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return false;
        }
    }

    private async Task<long> NumSubAsync(string channel)
    {
        try
        {
            var result = (RedisResult[])(await observer.GetDatabase().ExecuteAsync("PUBSUB", "NUMSUB", channel))!;
            return (long)result[1];
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return -1;
        }
    }
}
