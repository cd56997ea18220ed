using System.Net;
using System.Text.Json;
using PushGateway.Observability;
using PushGateway.Tests.Infrastructure;

namespace PushGateway.Tests.Observability;

/// <summary>/stats and /ops: what an operator without a collector has.</summary>
public sealed class StatsEndpointTests : IAsyncLifetime
{
    private GatewayNode node = null!;
    private HttpClient http = null!;

    public Task InitializeAsync()
    {
        node = GatewayNode.Start(overrides: new Dictionary<string, string?> { ["Telemetry:ServiceInstanceId"] = "stats-node" });
        http = new HttpClient { BaseAddress = node.HttpAddress };
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await node.DisposeAsync();
    }

    [Fact]
    public async Task Stats_keeps_its_shape_and_adds_identity_state_process_and_latency()
    {
        await using var client = await node.ConnectAsync();
        var topic = "stats." + Guid.NewGuid().ToString("N")[..8];
        await client.SubscribeAsync(topic);
        await node.Get<PushGateway.Bus.IMessageBus>().PublishAsync(topic, "{\"v\":1}"u8.ToArray(), CancellationToken.None).Within();
        await client.ReceiveMessageAsync();

        // The node runs in this process: a full collection here must show in its figures.
        var gen2Before = GC.CollectionCount(2);
        GC.Collect();
        using var document = JsonDocument.Parse(await http.GetStringAsync("/stats").Within());
        var root = document.RootElement;
        var collections = root.GetProperty("process").GetProperty("gcCollections");
        Assert.Equal(3, collections.GetArrayLength());
        Assert.True(collections[2].GetInt32() > gen2Before, "the forced gen2 collection is counted");
        Assert.True(collections[0].GetInt32() >= collections[2].GetInt32(), "every gen2 collection also counts as gen0");
        Assert.True(root.GetProperty("process").GetProperty("gcPauseSeconds").GetDouble() > 0, "a blocking collection paused the process");
        Assert.Equal("stats-node", root.GetProperty("node").GetString());
        Assert.Equal("in-process", root.GetProperty("bus").GetString());
        Assert.True(root.GetProperty("ready").GetBoolean());
        Assert.False(root.GetProperty("draining").GetBoolean());
        Assert.True(root.GetProperty("uptimeSeconds").GetDouble() >= 0);
        Assert.True(root.GetProperty("process").GetProperty("rssBytes").GetInt64() > 0);
        Assert.True(root.GetProperty("process").GetProperty("cpuSeconds").GetDouble() > 0);

        var stats = root.GetProperty("stats");
        Assert.True(stats.GetProperty("connectionsCurrent").GetInt64() >= 1);
        Assert.True(stats.GetProperty("busConnected").GetBoolean());
        // Under its documented name; what it counts is checked in BatchedSendTests.
        Assert.InRange(stats.GetProperty("framesBatched").GetInt64(), 0, stats.GetProperty("framesWritten").GetInt64());
        var latency = stats.GetProperty("deliveryLatency");
        Assert.Equal(LatencyBuckets.BoundariesMs.Length + 1, latency.GetProperty("counts").GetArrayLength());
        Assert.Equal(LatencyBuckets.BoundariesMs, latency.GetProperty("boundsMs").EnumerateArray().Select(b => b.GetDouble()));
        Assert.True(latency.GetProperty("count").GetInt64() >= 1, "the delivered message was measured");
    }

    [Fact]
    public async Task The_ops_page_is_served_with_its_script_and_style_and_reads_only_stats()
    {
        var page = await http.GetAsync("/ops").Within();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("ops.js", html);
        Assert.Contains("ops.css", html);

        var script = await http.GetStringAsync("/ops.js").Within();
        Assert.Contains("fetch('stats'", script);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/ops.css").Within()).StatusCode);
        // No outside requests: nothing in the page or the script names another host.
        Assert.DoesNotContain("http://", html + script);
        Assert.DoesNotContain("https://", html + script);
    }

    [Fact]
    public async Task Readiness_says_ready_and_liveness_says_ok()
    {
        Assert.Equal("ready\n", await http.GetStringAsync("/readyz").Within());
        Assert.Equal("ok\n", await http.GetStringAsync("/healthz").Within());
    }
}
