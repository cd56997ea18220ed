using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using PushGateway.Api;
using PushGateway.Configuration;

namespace PushGateway.Security;

/// <summary>Registers authentication, the origin policy, connection limits, CORS for the HTTP API and the log redaction.</summary>
public static class SecurityServices
{
    public static IServiceCollection AddGatewaySecurity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SecurityOptions>().Bind(configuration.GetSection(SecurityOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SecurityOptions>>(new OptionsValidation<SecurityOptions>(o => o.Validate()));
        services.AddSingleton<TokenAuthenticator>();
        services.AddSingleton<OriginPolicy>();
        services.AddSingleton<ClientSecurity>();
        services.AddSingleton<ApiKeyAuthenticator>();
        services.AddHostedService<SecurityStartupCheck>();
        services.AddSingleton<IPostConfigureOptions<LoggerFilterOptions>, SensitiveLogFilter>();

        // Between TCP accept and the end of the upgrade request: an idle or trickling socket is dropped.
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<GatewayOptions>>((kestrel, gateway) =>
        {
            kestrel.Limits.RequestHeadersTimeout = gateway.Value.HandshakeTimeout;
            kestrel.Limits.KeepAliveTimeout = gateway.Value.HandshakeTimeout;
        });

        services.AddCors();
        services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>().Configure<OriginPolicy>((cors, origins) =>
            cors.AddPolicy(PublishApi.CorsPolicy, policy => policy
                .SetIsOriginAllowed(origins.AllowsForCors)
                .WithMethods(HttpMethods.Post)
                .WithHeaders("Content-Type", ApiKeyAuthenticator.Header)));
        return services;
    }
}
