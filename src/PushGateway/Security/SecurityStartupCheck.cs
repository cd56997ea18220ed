using Microsoft.Extensions.Options;
using PushGateway.Configuration;

namespace PushGateway.Security;

/// <summary>Says at startup, once, what is open that an operator may not have meant to leave open.</summary>
internal sealed partial class SecurityStartupCheck(
    TokenAuthenticator tokens,
    OriginPolicy origins,
    IOptions<SecurityOptions> options,
    IHostEnvironment environment,
    ILogger<SecurityStartupCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var security = options.Value;
        var production = environment.IsProduction();
        if (origins.AllowsAll && production) LogAllOrigins(logger);
        if (!tokens.IsConfigured && production) LogNoAuthentication(logger);
        if (tokens.Anonymous.Publish.Patterns.Count > 0) LogAnonymousPublish(logger, tokens.Anonymous.Publish.ToString());
        if (security.ApiKeys.Length == 0) LogNoApiKeys(logger);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Security:AllowedOrigins is not set: web pages on any site may open WebSockets to this node")]
    private static partial void LogAllOrigins(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No Security:Jwt key is configured: any client may subscribe to every topic without a token")]
    private static partial void LogNoAuthentication(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Clients without a token may publish to: {Patterns}")]
    private static partial void LogAnonymousPublish(ILogger logger, string patterns);

    [LoggerMessage(Level = LogLevel.Information, Message = "No Security:ApiKeys are configured: POST /api/publish refuses every request")]
    private static partial void LogNoApiKeys(ILogger logger);
}
