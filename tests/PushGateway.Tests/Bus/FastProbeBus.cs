using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PushGateway.Bus;
using PushGateway.Configuration;

namespace PushGateway.Tests.Bus;

/// <summary>A connected Redis bus whose liveness probes run fast, so tests that break a connection are short.</summary>
internal static class FastProbeBus
{
    /// <summary>No channel prefix: each test's topics are its Redis channels.</summary>
    public static async Task<RedisBus> ConnectAsync(string connectionString, string subscriber, IBusListener listener)
    {
        var options = new RedisOptions
        {
            ConnectionString = connectionString,
            Subscriber = subscriber,
            ProbeInterval = TimeSpan.FromMilliseconds(100),
            ProbeTimeout = TimeSpan.FromMilliseconds(500),
        };
        var bus = new RedisBus(Options.Create(options), Options.Create(new HistoryOptions()), NullLogger<RedisBus>.Instance);
        bus.Attach(listener);
        await bus.ConnectAsync();
        return bus;
    }
}
