using FeedSimulator;
using Microsoft.Extensions.Options;
using PushGateway.Bus;
using PushGateway.Configuration;
using PushGateway.Connections;
using PushGateway.Feeds;
using PushGateway.Lifecycle;
using PushGateway.Observability;
using PushGateway.Security;
using PushGateway.Topics;

namespace PushGateway.Hosting;

/// <summary>Registers the gateway: options, the bus chosen by configuration, the router and the endpoints' services.</summary>
public static class GatewayServices
{
    public static IServiceCollection AddPushGateway(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GatewayOptions>().Bind(configuration.GetSection(GatewayOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<GatewayOptions>>(new OptionsValidation<GatewayOptions>(o => o.Validate()));
        services.AddOptions<RedisOptions>().Bind(configuration.GetSection(RedisOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RedisOptions>>(new OptionsValidation<RedisOptions>(o => o.Validate()));
        services.AddOptions<StalenessOptions>().Bind(configuration.GetSection(StalenessOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StalenessOptions>>(new OptionsValidation<StalenessOptions>(o => o.Validate()));
        services.AddHostedService<StalenessMonitor>();
        services.AddOptions<HistoryOptions>().Bind(configuration.GetSection(HistoryOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<HistoryOptions>>(new OptionsValidation<HistoryOptions>(o => o.Validate()));
        services.AddOptions<FeedOptions>().Bind(configuration.GetSection("Feeds")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<FeedOptions>>(new OptionsValidation<FeedOptions>(o => o.Validate().Select(e => "Feeds: " + e)));
        services.AddOptions<EmbeddedFeedOptions>().Bind(configuration.GetSection("Feeds"));

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<GatewayMetrics>();
        services.AddGatewayObservability(configuration);
        services.AddGatewayLifecycle();
        services.AddGatewaySecurity(configuration);
        services.AddSingleton<IMessageBus>(sp => sp.GetRequiredService<IOptions<RedisOptions>>().Value.IsConfigured
            ? ActivatorUtilities.CreateInstance<RedisBus>(sp)
            : new InProcessBus(sp.GetRequiredService<IOptions<HistoryOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => (IMessageHistory)sp.GetRequiredService<IMessageBus>());
        services.AddSingleton<TopicRouter>();
        services.AddSingleton<ConnectionRegistry>();
        services.AddSingleton<ConnectionServices>();
        services.AddSingleton<HandshakePolicy>();
        services.AddSingleton<ConnectionRunner>();
        services.AddSingleton<WebSocketEndpoint>();
        services.AddHostedService<KeepAliveMonitor>();
        // Kestrel's TCP endpoints accept through the gateway, which keeps plain /ws upgrades and hands everything else on to HTTP.
        // Registered after Kestrel's own socket transport, so Kestrel picks it first.
        services.AddSingleton<Microsoft.AspNetCore.Connections.IConnectionListenerFactory, Connections.WebSockets.DirectListenerFactory>();
        services.AddSingleton<Connections.Sse.SseEndpoint>();
        services.AddHostedService<BusConnector>();
        services.AddHostedService<EmbeddedFeedService>();
        return services;
    }
}
