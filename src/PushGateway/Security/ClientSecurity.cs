using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using PushGateway.Bus;
using PushGateway.Configuration;

namespace PushGateway.Security;

/// <summary>
/// The node's policy for WebSocket clients, in the order the handshake applies it: origin, capacity,
/// credentials; then, per connection, the budgets and the expiry timer of a <see cref="ConnectionGuard"/>.
/// </summary>
internal sealed partial class ClientSecurity(
    TokenAuthenticator tokens,
    OriginPolicy origins,
    IMessageBus bus,
    IOptions<GatewayOptions> gatewayOptions,
    IOptions<SecurityOptions> securityOptions,
    TimeProvider time,
    ILogger<ClientSecurity> logger)
{
    public const string TokenQueryParameter = "access_token";

    private readonly GatewayOptions gateway = gatewayOptions.Value;
    private readonly SecurityOptions security = securityOptions.Value;
    private int admitted;

    public TokenAuthenticator Tokens { get; } = tokens;

    public OriginPolicy Origins { get; } = origins;

    /// <summary>Where client `publish` commands go: the same sequenced publish path as backends.</summary>
    public IMessageBus Bus { get; } = bus;

    public int Admitted => Volatile.Read(ref admitted);

    /// <summary>Reserves a connection slot (Gateway:MaxConnections) from the handshake until <see cref="ReleaseSlot"/>.</summary>
    public bool TryReserveSlot()
    {
        if (Interlocked.Increment(ref admitted) <= gateway.MaxConnections) return true;
        Interlocked.Decrement(ref admitted);
        return false;
    }

    public void ReleaseSlot() => Interlocked.Decrement(ref admitted);

    public ConnectionGuard CreateGuard() =>
        new(this, gateway.CommandsPerSecond, gateway.CommandBurst, security.ClientPublishesPerSecond, security.ClientPublishBurst, time);

    /// <summary>
    /// The handshake's credentials: a token in `Authorization: Bearer` or in the `access_token` query
    /// parameter (browsers cannot set headers on a WebSocket). A token that is present is checked and,
    /// if bad, refused, never downgraded to anonymous; no token at all gets the anonymous principal
    /// when it may do anything.
    /// </summary>
    public Task<TokenResult> AuthenticateAsync(HttpRequest request) =>
        AuthenticateAsync(request.Headers.Authorization, request.Query[TokenQueryParameter]);

    /// <summary>The same from the raw values: the Authorization headers and the access_token query values.</summary>
    public async Task<TokenResult> AuthenticateAsync(StringValues header, StringValues query)
    {
        if (header.Count + query.Count > 1)
        {
            LogRefused(logger, "more than one credential");
            return TokenResult.Fail(TokenFailure.Malformed);
        }
        string? token = null;
        if (header.Count == 1)
        {
            if (!TryGetBearer(header, out token))
            {
                LogRefused(logger, "an Authorization header that is not Bearer");
                return TokenResult.Fail(TokenFailure.Malformed);
            }
        }
        else if (query.Count == 1)
        {
            token = query[0];
        }
        if (token is null)
        {
            if (Tokens.AllowsAnonymous) return new TokenResult(Tokens.Anonymous, TokenFailure.None);
            LogRefused(logger, "no token");
            return TokenResult.Fail(TokenFailure.Missing);
        }
        var result = await Tokens.AuthenticateAsync(token).ConfigureAwait(false);
        if (result.Principal is null) LogRefused(logger, result.Failure.ToString());
        return result;
    }

    private static bool TryGetBearer(StringValues header, out string? token)
    {
        token = null;
        var value = header[0];
        if (value is null || !value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return false;
        token = value["Bearer ".Length..].Trim();
        return token.Length > 0;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Handshake refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);
}
