using PushGateway.Bus;

namespace PushGateway.Tests.Bus;

public sealed class InProcessBusContractTests : BusContractTests
{
    protected override Task<(IMessageBus Publisher, IMessageBus Subscriber)> CreatePairAsync()
    {
        var bus = new InProcessBus();
        return Task.FromResult<(IMessageBus, IMessageBus)>((bus, bus));
    }
}
