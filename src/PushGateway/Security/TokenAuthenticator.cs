using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace PushGateway.Security;

/// <summary>
/// Turns an access token (a JWT) into a <see cref="ClientPrincipal"/>, or says why it cannot.
/// Signature, algorithm (pinned per key), issuer, audience, `exp` and `nbf` are all checked before
/// a single claim is believed.
/// </summary>
public sealed class TokenAuthenticator
{
    /// <summary>Longer tokens are refused unread: a token arrives in a query string or a 64 KiB frame, never legitimately this big.</summary>
    public const int MaxTokenLength = 8 * 1024;

    /// <summary>At most this many characters of `sub`.</summary>
    public const int MaxSubjectLength = 256;

    private readonly JwtOptions options;
    private readonly SigningKeyRing keys;
    private readonly TopicPermissions anonymousSubscribe;
    private readonly TopicPermissions anonymousPublish;
    private readonly JsonWebTokenHandler handler = new() { MaximumTokenSizeInBytes = MaxTokenLength, MapInboundClaims = false };
    private readonly TokenValidationParameters parameters;

    public TokenAuthenticator(IOptions<SecurityOptions> securityOptions, TimeProvider time)
    {
        var security = securityOptions.Value;
        options = security.Jwt;
        keys = SigningKeyRing.Load(options);
        anonymousSubscribe = TopicPermissions.Parse(security.AnonymousSubscribe ?? (options.IsConfigured ? [] : [">"]));
        anonymousPublish = TopicPermissions.Parse(security.AnonymousPublish);
        Anonymous = new ClientPrincipal(null, anonymousSubscribe, anonymousPublish, null);
        parameters = new TokenValidationParameters
        {
            ValidateIssuer = true,
            ValidIssuer = options.Issuer,
            ValidateAudience = true,
            ValidAudience = options.Audience,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            ClockSkew = options.ClockSkew,
            TryAllIssuerSigningKeys = false,
            IssuerSigningKeyResolver = (_, _, kid, _) => keys.Resolve(kid),
            AlgorithmValidator = (algorithm, key, _, _) => keys.IsPinnedTo(key, algorithm),
            LifetimeValidator = (notBefore, expires, _, p) => ValidateLifetime(notBefore, expires, p.ClockSkew, time),
            SaveSigninToken = false,
        };
    }

    /// <summary>Whether any key is configured; without one, every token is refused.</summary>
    public bool IsConfigured => keys.Keys.Count > 0;

    /// <summary>What a client without a token may do (Security:AnonymousSubscribe and AnonymousPublish).</summary>
    public ClientPrincipal Anonymous { get; }

    /// <summary>Whether a client without a token may do anything at all; if not, it is refused at the handshake.</summary>
    public bool AllowsAnonymous => !anonymousSubscribe.IsEmpty || !anonymousPublish.IsEmpty;

    public async Task<TokenResult> AuthenticateAsync(string token)
    {
        if (!IsConfigured) return TokenResult.Fail(TokenFailure.NotAccepted);
        if (token.Length > MaxTokenLength) return TokenResult.Fail(TokenFailure.Malformed);
        TokenValidationResult result;
        try
        {
            result = await handler.ValidateTokenAsync(token, parameters).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenException or JsonException or FormatException)
        {
            return TokenResult.Fail(TokenFailure.Malformed);
        }
        if (!result.IsValid) return TokenResult.Fail(Classify(result.Exception));
        var jwt = (JsonWebToken)result.SecurityToken;
        var subject = jwt.Subject;
        if (string.IsNullOrEmpty(subject) || subject.Length > MaxSubjectLength) return TokenResult.Fail(TokenFailure.MissingSubject);
        if (!TryReadGrants(jwt, out var subscribe, out var publish)) return TokenResult.Fail(TokenFailure.InvalidClaims);
        var expiresAt = new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero) + options.ClockSkew;
        var principal = new ClientPrincipal(subject, subscribe.Union(anonymousSubscribe), publish.Union(anonymousPublish), expiresAt);
        return new TokenResult(principal, TokenFailure.None);
    }

    /// <summary>Reads the permission claims from the (already verified) payload: an array of pattern strings, or one string.</summary>
    private bool TryReadGrants(JsonWebToken jwt, out TopicPermissions subscribe, out TopicPermissions publish)
    {
        subscribe = publish = TopicPermissions.None;
        using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload), new JsonDocumentOptions { MaxDepth = 16 });
        return TryReadGrant(payload.RootElement, options.SubscribeClaim, out subscribe)
            && TryReadGrant(payload.RootElement, options.PublishClaim, out publish);
    }

    private static bool TryReadGrant(JsonElement payload, string claim, out TopicPermissions permissions)
    {
        permissions = TopicPermissions.None;
        if (!payload.TryGetProperty(claim, out var value)) return true;
        List<string> texts;
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                texts = [value.GetString()!];
                break;
            case JsonValueKind.Array when value.GetArrayLength() <= SecurityOptions.MaxPatternsPerGrant:
                texts = [];
                foreach (var item in value.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String) return false;
                    texts.Add(item.GetString()!);
                }
                break;
            default:
                return false;
        }
        // A token with a malformed grant is the issuer's bug: refuse it rather than guess what was meant.
        return TopicPermissions.TryParse(texts, out permissions, out _);
    }

    private static bool ValidateLifetime(DateTime? notBefore, DateTime? expires, TimeSpan skew, TimeProvider time)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (expires is null) throw new SecurityTokenNoExpirationException("the token has no exp");
        if (notBefore is not null && notBefore.Value > now + skew) throw new SecurityTokenNotYetValidException("the token is not valid yet") { NotBefore = notBefore.Value };
        if (expires.Value < now - skew) throw new SecurityTokenExpiredException("the token has expired") { Expires = expires.Value };
        return true;
    }

    private static TokenFailure Classify(Exception? exception) => exception switch
    {
        SecurityTokenExpiredException => TokenFailure.Expired,
        SecurityTokenNotYetValidException => TokenFailure.NotYetValid,
        SecurityTokenNoExpirationException => TokenFailure.Expired,
        SecurityTokenInvalidIssuerException => TokenFailure.InvalidIssuer,
        SecurityTokenInvalidAudienceException => TokenFailure.InvalidAudience,
        SecurityTokenSignatureKeyNotFoundException => TokenFailure.UnknownKey,
        SecurityTokenInvalidAlgorithmException => TokenFailure.InvalidSignature,
        SecurityTokenInvalidSignatureException => TokenFailure.InvalidSignature,
        SecurityTokenInvalidLifetimeException => TokenFailure.Expired,
        _ => TokenFailure.Malformed,
    };
}

/// <summary>Why a token was refused; the text is what the client is told (never the token, never key material).</summary>
public enum TokenFailure
{
    None,
    Missing,
    NotAccepted,
    Malformed,
    Expired,
    NotYetValid,
    InvalidSignature,
    UnknownKey,
    InvalidIssuer,
    InvalidAudience,
    MissingSubject,
    InvalidClaims,
}

/// <summary>A verified principal, or the reason there is none.</summary>
public readonly record struct TokenResult(ClientPrincipal? Principal, TokenFailure Failure)
{
    public static TokenResult Fail(TokenFailure failure) => new(null, failure);

    public string Describe() => Failure switch
    {
        TokenFailure.None => "ok",
        TokenFailure.Missing => "a token is required (Authorization: Bearer, or the access_token query parameter)",
        TokenFailure.NotAccepted => "this node accepts no tokens (no key is configured)",
        TokenFailure.Malformed => "the token is not a well-formed signed JWT",
        TokenFailure.Expired => "the token has expired",
        TokenFailure.NotYetValid => "the token is not valid yet",
        TokenFailure.InvalidSignature => "the token's signature or algorithm is not accepted",
        TokenFailure.UnknownKey => "the token's key (kid) is not known",
        TokenFailure.InvalidIssuer => "the token's issuer is not accepted",
        TokenFailure.InvalidAudience => "the token's audience is not accepted",
        TokenFailure.MissingSubject => "the token has no usable 'sub'",
        TokenFailure.InvalidClaims => "the token's topic claims are malformed",
        _ => "the token is not accepted",
    };
}
