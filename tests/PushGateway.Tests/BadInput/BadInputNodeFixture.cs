using PushGateway.Tests.Infrastructure;

namespace PushGateway.Tests.BadInput;

/// <summary>
/// Two nodes for the corpus: a generous one (4 KiB messages, a command budget large enough for
/// 10,000 subscribes) where each input meets its own check, and a strict one (1 command/s, burst
/// of 10) for floods.
/// </summary>
public sealed class BadInputNodeFixture : IAsyncLifetime
{
    public const int MaxMessageBytes = 4096;
    public const int MaxSubscriptions = 1000;

    public GatewayNode Node { get; private set; } = null!;

    public GatewayNode StrictNode { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Node = GatewayNode.Start(overrides: new Dictionary<string, string?>
        {
            ["Gateway:MaxMessageBytes"] = MaxMessageBytes.ToString(),
            ["Gateway:MaxSubscriptionsPerConnection"] = MaxSubscriptions.ToString(),
            ["Gateway:CommandsPerSecond"] = "1000",
            ["Gateway:CommandBurst"] = "20000",
            ["Gateway:SendQueueBytes"] = (8 * 1024 * 1024).ToString(),
        });
        StrictNode = GatewayNode.Start(overrides: new Dictionary<string, string?>
        {
            ["Gateway:MaxMessageBytes"] = MaxMessageBytes.ToString(),
            ["Gateway:CommandsPerSecond"] = "1",
            ["Gateway:CommandBurst"] = "10",
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Node.DisposeAsync();
        await StrictNode.DisposeAsync();
    }
}
