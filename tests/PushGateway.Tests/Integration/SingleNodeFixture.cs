using PushGateway.Bus;
using PushGateway.Tests.Infrastructure;

namespace PushGateway.Tests.Integration;

/// <summary>One node on the in-process bus, shared by a test class; tests use distinct topics.</summary>
public sealed class SingleNodeFixture : IAsyncLifetime
{
    public GatewayNode Node { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Node = GatewayNode.Start(overrides: new Dictionary<string, string?> { ["Gateway:MaxMessageBytes"] = "4096" });
        return Task.CompletedTask;
    }

    public Task PublishAsync(string topic, string payload) =>
        Node.Get<IMessageBus>().PublishAsync(topic, System.Text.Encoding.UTF8.GetBytes(payload), CancellationToken.None);

    public async Task DisposeAsync() => await Node.DisposeAsync();
}
