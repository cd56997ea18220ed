using PushGateway.Topics;

namespace PushGateway.Security;

/// <summary>Section "Security": who may connect and do what, browser origins, and the HTTP publish API. Every key is documented in docs/security.md.</summary>
public sealed class SecurityOptions
{
    public const string Section = "Security";

    /// <summary>Most patterns one claim, one API key or one anonymous list may hold.</summary>
    public const int MaxPatternsPerGrant = 256;

    /// <summary>
    /// Browser origins allowed to open /ws (and /sse, and to call the HTTP API cross-origin):
    /// "https://app.example.com", "https://*.example.com" (any subdomain), "null", or "*".
    /// Unset or empty: every origin may open /ws (a warning is logged in Production) and no origin gets CORS.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>
    /// Patterns a client without a token may subscribe to. Unset: everything when no JWT key is
    /// configured (an open node), nothing when one is.
    /// </summary>
    public string[]? AnonymousSubscribe { get; set; }

    /// <summary>Topics a client without a token may publish to; none by default.</summary>
    public string[] AnonymousPublish { get; set; } = [];

    /// <summary>Sustained client `publish` commands per second per connection; over it the command gets `rate_limited`.</summary>
    public double ClientPublishesPerSecond { get; set; } = 10;

    /// <summary>Client `publish` commands a connection may send at once before the sustained rate applies.</summary>
    public int ClientPublishBurst { get; set; } = 20;

    public JwtOptions Jwt { get; set; } = new();

    /// <summary>Keys of backend services allowed to call POST /api/publish.</summary>
    public ApiKeyOptions[] ApiKeys { get; set; } = [];

    /// <summary>Largest request body POST /api/publish accepts (413 beyond it).</summary>
    public int ApiMaxRequestBytes { get; set; } = 1024 * 1024;

    /// <summary>Most messages one POST /api/publish batch may hold (413 beyond it).</summary>
    public int ApiMaxBatchMessages { get; set; } = 100;

    public IEnumerable<string> Validate()
    {
        foreach (var origin in AllowedOrigins)
        {
            if (!OriginPolicy.TryParseEntry(origin, out _)) yield return $"Security:AllowedOrigins: '{origin}' is not an origin (scheme://host[:port], with an optional '*.' before the host), 'null' or '*'";
        }
        foreach (var error in ValidatePatterns("Security:AnonymousSubscribe", AnonymousSubscribe ?? [], allowWildcards: true)) yield return error;
        foreach (var error in ValidatePatterns("Security:AnonymousPublish", AnonymousPublish, allowWildcards: true)) yield return error;
        if (ClientPublishesPerSecond < 0 || !double.IsFinite(ClientPublishesPerSecond)) yield return "Security:ClientPublishesPerSecond must be a non-negative number";
        if (ClientPublishBurst < 1) yield return "Security:ClientPublishBurst must be at least 1";
        foreach (var error in Jwt.Validate()) yield return error;
        for (var i = 0; i < ApiKeys.Length; i++)
        {
            foreach (var error in ApiKeys[i].Validate($"Security:ApiKeys:{i}")) yield return error;
        }
        if (ApiKeys.Select(k => k.Name).Distinct(StringComparer.Ordinal).Count() != ApiKeys.Length) yield return "Security:ApiKeys: names must be unique";
        if (ApiMaxRequestBytes < 1024) yield return "Security:ApiMaxRequestBytes must be at least 1024";
        if (ApiMaxBatchMessages < 1) yield return "Security:ApiMaxBatchMessages must be at least 1";
    }

    internal static IEnumerable<string> ValidatePatterns(string key, IReadOnlyCollection<string> patterns, bool allowWildcards)
    {
        if (patterns.Count > MaxPatternsPerGrant) yield return $"{key}: at most {MaxPatternsPerGrant} patterns";
        foreach (var pattern in patterns)
        {
            if (TopicName.Validate(pattern, allowWildcards) is { } why) yield return $"{key}: '{pattern}': {why}";
        }
    }
}

/// <summary>Section "Security:Jwt": how access tokens are verified. No key configured: tokens are not accepted.</summary>
public sealed class JwtOptions
{
    /// <summary>The only accepted `iss`; required once a key is configured.</summary>
    public string? Issuer { get; set; }

    /// <summary>The only accepted `aud` (the token may list others beside it); required once a key is configured.</summary>
    public string? Audience { get; set; }

    /// <summary>Tolerance for clocks that disagree, applied to `exp` and `nbf`.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Claim holding the patterns the client may subscribe to (an array of strings, or one string).</summary>
    public string SubscribeClaim { get; set; } = "sub_topics";

    /// <summary>Claim holding the topics or patterns the client may publish to.</summary>
    public string PublishClaim { get; set; } = "pub_topics";

    /// <summary>Keys configured one by one, each pinned to one algorithm.</summary>
    public JwtKeyOptions[] Keys { get; set; } = [];

    /// <summary>A JWKS document on disk (read once at startup; never fetched over the network).</summary>
    public string? JwksFile { get; set; }

    public bool IsConfigured => Keys.Length > 0 || !string.IsNullOrWhiteSpace(JwksFile);

    public IEnumerable<string> Validate()
    {
        if (ClockSkew < TimeSpan.Zero || ClockSkew > TimeSpan.FromMinutes(10)) yield return "Security:Jwt:ClockSkew must be between 0 and 10 minutes";
        if (string.IsNullOrWhiteSpace(SubscribeClaim) || string.IsNullOrWhiteSpace(PublishClaim)) yield return "Security:Jwt:SubscribeClaim and PublishClaim must not be empty";
        if (!IsConfigured) yield break;
        if (string.IsNullOrWhiteSpace(Issuer)) yield return "Security:Jwt:Issuer is required when keys are configured";
        if (string.IsNullOrWhiteSpace(Audience)) yield return "Security:Jwt:Audience is required when keys are configured";
        foreach (var error in SigningKeyRing.Load(this).Errors) yield return error;
    }
}

/// <summary>One verification key: a secret (HS256) or a public key (RS256, ES256), and the only algorithm it verifies.</summary>
public sealed class JwtKeyOptions
{
    /// <summary>Matched against the token's `kid`; a key without one verifies only tokens without a `kid`.</summary>
    public string? KeyId { get; set; }

    /// <summary>HS256, RS256 or ES256.</summary>
    public string Algorithm { get; set; } = "";

    /// <summary>HS256: the shared secret as text (at least 32 bytes of UTF-8).</summary>
    public string? Secret { get; set; }

    /// <summary>HS256: the shared secret as base64 (at least 32 bytes).</summary>
    public string? SecretBase64 { get; set; }

    /// <summary>RS256/ES256: a PEM public key (SubjectPublicKeyInfo, "-----BEGIN PUBLIC KEY-----").</summary>
    public string? PublicKeyPem { get; set; }

    /// <summary>RS256/ES256: a file holding a PEM public key.</summary>
    public string? PublicKeyFile { get; set; }
}

/// <summary>A backend service allowed to publish over HTTP: its key and the topics it may publish to.</summary>
public sealed class ApiKeyOptions
{
    /// <summary>Names the caller in logs; never the key itself.</summary>
    public string Name { get; set; } = "";

    /// <summary>The key as sent in X-Api-Key (at least 32 characters).</summary>
    public string? Key { get; set; }

    /// <summary>Instead of <see cref="Key"/>: the hex SHA-256 of the key, so the configuration does not hold the key itself.</summary>
    public string? KeySha256 { get; set; }

    /// <summary>Topics or patterns this key may publish to; at least one.</summary>
    public string[] Topics { get; set; } = [];

    public IEnumerable<string> Validate(string path)
    {
        if (string.IsNullOrWhiteSpace(Name)) yield return $"{path}:Name is required";
        var hasKey = !string.IsNullOrEmpty(Key);
        var hasHash = !string.IsNullOrEmpty(KeySha256);
        if (hasKey == hasHash) yield return $"{path}: set exactly one of Key and KeySha256";
        if (hasKey && Key!.Length < 32) yield return $"{path}:Key must be at least 32 characters";
        if (hasHash && (KeySha256!.Length != 64 || !KeySha256.All(Uri.IsHexDigit))) yield return $"{path}:KeySha256 must be 64 hex digits";
        if (Topics.Length == 0) yield return $"{path}:Topics must list at least one topic or pattern (\">\" for all)";
        foreach (var error in SecurityOptions.ValidatePatterns($"{path}:Topics", Topics, allowWildcards: true)) yield return error;
    }
}
