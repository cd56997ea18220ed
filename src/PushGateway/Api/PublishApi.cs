using System.Buffers;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using PushGateway.Bus;
using PushGateway.Configuration;
using PushGateway.Security;

namespace PushGateway.Api;

/// <summary>
/// POST /api/publish: for backend services that do not speak Redis. Authenticated by API key,
/// bounded in size, and published through the same path as everything else (IMessageBus.PublishAsync).
/// Errors are RFC 9457 problem details.
/// </summary>
public static partial class PublishApi
{
    public const string Path = "/api/publish";
    public const string CorsPolicy = "publish-api";

    public static WebApplication MapPublishApi(this WebApplication app)
    {
        app.UseCors();
        app.MapPost(Path, HandleAsync).RequireCors(CorsPolicy);
        return app;
    }

    private static async Task<IResult> HandleAsync(
        HttpContext context,
        ApiKeyAuthenticator apiKeys,
        IMessageBus bus,
        IOptions<SecurityOptions> securityOptions,
        IOptions<GatewayOptions> gatewayOptions,
        ILoggerFactory loggerFactory)
    {
        var security = securityOptions.Value;
        var request = context.Request;
        var caller = apiKeys.Authenticate(request.Headers[ApiKeyAuthenticator.Header].Count == 1 ? request.Headers[ApiKeyAuthenticator.Header][0] : null);
        if (caller is null)
        {
            return Problem(StatusCodes.Status401Unauthorized, "unauthorized",
                apiKeys.IsConfigured ? $"send a valid API key in the {ApiKeyAuthenticator.Header} header" : "this node has no API keys configured");
        }
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) || !mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type", "the body must be application/json");
        }
        if (request.ContentLength > security.ApiMaxRequestBytes) return TooLarge(security.ApiMaxRequestBytes);
        var body = await ReadBoundedAsync(request.Body, security.ApiMaxRequestBytes, context.RequestAborted);
        if (body is null) return TooLarge(security.ApiMaxRequestBytes);

        var parsed = PublishRequest.Parse(body, security.ApiMaxBatchMessages, gatewayOptions.Value.MaxMessageBytes);
        if (parsed.Messages is null)
        {
            return Problem(parsed.Status, parsed.Status == StatusCodes.Status413PayloadTooLarge ? "too_large" : "invalid_request", parsed.Error!);
        }
        // Every message is checked before any is published, so a refused batch publishes nothing.
        foreach (var message in parsed.Messages)
        {
            if (!caller.Topics.Covers(message.Topic))
                return Problem(StatusCodes.Status403Forbidden, "forbidden", $"this API key may not publish to '{message.Topic}'");
        }
        var published = 0;
        try
        {
            foreach (var message in parsed.Messages)
            {
                await bus.PublishAsync(message.Topic, message.Data, context.RequestAborted);
                published++;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            LogPublishFailed(loggerFactory.CreateLogger(typeof(PublishApi).FullName!), caller.Name, published, ex);
            return Problem(StatusCodes.Status503ServiceUnavailable, "unavailable", "the bus did not take the message; retry later",
                new Dictionary<string, object?> { ["published"] = published });
        }
        return Results.Json(new { published });
    }

    /// <summary>Null when the body is longer than <paramref name="limit"/>; never reads more than one byte past it.</summary>
    private static async Task<byte[]?> ReadBoundedAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(limit + 1, 64 * 1024));
        try
        {
            var used = 0;
            while (true)
            {
                if (used == buffer.Length)
                {
                    if (used > limit) return null;
                    var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, used).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                var read = await body.ReadAsync(buffer.AsMemory(used), cancellationToken);
                if (read == 0) return buffer.AsSpan(0, used).ToArray();
                used += read;
                if (used > limit) return null;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static IResult TooLarge(int limit) =>
        Problem(StatusCodes.Status413PayloadTooLarge, "too_large", $"the body must be at most {limit} bytes");

    private static IResult Problem(int status, string code, string detail, Dictionary<string, object?>? extensions = null)
    {
        extensions ??= [];
        extensions["code"] = code;
        return Results.Problem(detail: detail, statusCode: status, extensions: extensions);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "HTTP publish by {Caller} failed after {Published} messages")]
    private static partial void LogPublishFailed(ILogger logger, string caller, int published, Exception exception);
}
