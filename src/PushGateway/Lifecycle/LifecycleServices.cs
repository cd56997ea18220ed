using Microsoft.Extensions.Options;
using PushGateway.Configuration;

namespace PushGateway.Lifecycle;

/// <summary>Registers readiness and the graceful drain, and gives the host enough time to finish a drain.</summary>
public static class LifecycleServices
{
    /// <summary>Room after the last close for the final close handshakes and the rest of shutdown (telemetry flush).</summary>
    private static readonly TimeSpan ShutdownMargin = TimeSpan.FromSeconds(10);

    public static IServiceCollection AddGatewayLifecycle(this IServiceCollection services)
    {
        services.AddSingleton<DrainCoordinator>();
        services.AddHostedService(sp => sp.GetRequiredService<DrainCoordinator>());
        services.AddSingleton<Readiness>();
        // The default 30 s would cut a longer drain short; a larger value set by the operator stands.
        services.AddOptions<HostOptions>().Configure<IOptions<GatewayOptions>>((host, gateway) =>
        {
            var needed = gateway.Value.DrainGracePeriod + gateway.Value.CloseTimeout + ShutdownMargin;
            if (host.ShutdownTimeout < needed) host.ShutdownTimeout = needed;
        });
        return services;
    }
}
