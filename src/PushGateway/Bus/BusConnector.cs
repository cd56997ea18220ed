namespace PushGateway.Bus;

/// <summary>Connects the bus before the server accepts clients, and closes it after they are gone.</summary>
internal sealed class BusConnector(IMessageBus bus) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        bus is RedisBus redis ? redis.ConnectAsync() : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
