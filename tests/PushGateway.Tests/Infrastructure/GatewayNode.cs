using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace PushGateway.Tests.Infrastructure;

/// <summary>A real gateway node: the app's own Program on real Kestrel, on a free loopback port.</summary>
public sealed class GatewayNode : WebApplicationFactory<PushGateway.Topics.TopicRouter>
{
    private readonly Dictionary<string, string?> settings;

    private GatewayNode(Dictionary<string, string?> settings) => this.settings = settings;

    public Uri HttpAddress { get; private set; } = null!;

    public Uri WebSocketAddress => new($"ws://{HttpAddress.Authority}/ws");

    /// <summary>Starts a node; with <paramref name="redis"/> it joins that Redis, else it runs on the in-process bus.</summary>
    public static GatewayNode Start(RedisServer? redis = null, IDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Feeds:Enabled"] = "false",
            ["Redis:ConnectionString"] = redis?.ConnectionString ?? "",
            ["Logging:LogLevel:Default"] = "Warning",
            // Disposing a node drains it; tests that exercise the drain set their own period.
            ["Gateway:DrainGracePeriod"] = "00:00:00",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>()) settings[key] = value;
        // A free port through the urls setting rather than UseKestrel(0), which was seen to race with server start
        // ("Addresses cannot be modified after the server has started").
        settings["urls"] = "http://127.0.0.1:0";
        var node = new GatewayNode(settings);
        node.UseKestrel();
        node.StartServer();
        var address = node.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        node.HttpAddress = new Uri(address.Replace("[::]", "127.0.0.1").Replace("localhost", "127.0.0.1"));
        return node;
    }

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    public Task<TestClient> ConnectAsync(string? subProtocol = null, bool paused = false) =>
        TestClient.ConnectAsync(WebSocketAddress, subProtocol, paused);

    /// <summary>Publishes through the node's own bus: the sequenced path, as the HTTP API and the simulator do.</summary>
    public Task PublishAsync(string topic, string payload) =>
        Get<PushGateway.Bus.IMessageBus>().PublishAsync(topic, System.Text.Encoding.UTF8.GetBytes(payload), CancellationToken.None);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
    }
}
