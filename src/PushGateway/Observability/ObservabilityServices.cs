using Microsoft.Extensions.Options;
using PushGateway.Configuration;

namespace PushGateway.Observability;

/// <summary>Registers telemetry export, the /stats document and the log format.</summary>
public static class ObservabilityServices
{
    public static IServiceCollection AddGatewayObservability(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TelemetryOptions>().Bind(configuration.GetSection(TelemetryOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TelemetryOptions>>(new OptionsValidation<TelemetryOptions>(o => o.Validate()));
        services.AddSingleton(sp => TelemetrySettings.Resolve(sp.GetRequiredService<IOptions<TelemetryOptions>>().Value, configuration));
        services.AddSingleton<TelemetryProviders>();
        services.AddHostedService(sp => sp.GetRequiredService<TelemetryProviders>());
        services.AddSingleton<NodeStatus>();
        services.AddLogging(logging => logging.AddGatewayLogFormat(configuration));
        return services;
    }

    /// <summary>
    /// Logging:Format=json switches the console to one JSON object per line with scopes (ConnectionId,
    /// Topic) as fields, for containers whose log shipper parses JSON; anything else keeps the default.
    /// </summary>
    public static ILoggingBuilder AddGatewayLogFormat(this ILoggingBuilder logging, IConfiguration configuration)
    {
        if (!string.Equals(configuration["Logging:Format"], "json", StringComparison.OrdinalIgnoreCase)) return logging;
        return logging.AddJsonConsole(o =>
        {
            o.IncludeScopes = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
        });
    }
}
