using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace PushGateway.Security;

/// <summary>
/// The keys that verify access tokens, each pinned to exactly one algorithm. Loaded once, from
/// configuration and files on disk: a token can never make the node fetch a key (no jku, x5u or
/// metadata URL is ever followed).
/// </summary>
internal sealed class SigningKeyRing
{
    public const string HS256 = SecurityAlgorithms.HmacSha256;
    public const string RS256 = SecurityAlgorithms.RsaSha256;
    public const string ES256 = SecurityAlgorithms.EcdsaSha256;

    private static readonly string[] Supported = [HS256, RS256, ES256];

    private readonly Dictionary<SecurityKey, string> algorithms = new(ReferenceEqualityComparer.Instance);

    private SigningKeyRing(List<PinnedKey> keys, List<string> errors)
    {
        Keys = keys;
        Errors = errors;
        foreach (var key in keys) algorithms[key.Key] = key.Algorithm;
    }

    public IReadOnlyList<PinnedKey> Keys { get; }

    /// <summary>Configuration problems, in the words of docs/security.md; the node does not start while there are any.</summary>
    public IReadOnlyList<string> Errors { get; }

    public static SigningKeyRing Load(JwtOptions options)
    {
        var keys = new List<PinnedKey>();
        var errors = new List<string>();
        for (var i = 0; i < options.Keys.Length; i++)
        {
            var path = $"Security:Jwt:Keys:{i}";
            try
            {
                var error = TryLoad(options.Keys[i], out var key);
                if (error is not null) errors.Add($"{path}: {error}");
                else keys.Add(key!);
            }
            catch (Exception ex) when (ex is CryptographicException or IOException or FormatException or UnauthorizedAccessException or ArgumentException)
            {
                errors.Add($"{path}: the key could not be read ({ex.GetType().Name})");
            }
        }
        if (!string.IsNullOrWhiteSpace(options.JwksFile)) LoadJwks(options.JwksFile, keys, errors);
        foreach (var duplicate in keys.Where(k => k.KeyId is not null).GroupBy(k => k.KeyId, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            errors.Add($"Security:Jwt: the key id '{duplicate.Key}' is used by more than one key");
        }
        return new SigningKeyRing(keys, errors);
    }

    /// <summary>
    /// The candidates for a token: the keys with its `kid`, or, for a token without one, the keys
    /// configured without one. Never every key: an unknown `kid` is refused, not tried against all.
    /// </summary>
    public IEnumerable<SecurityKey> Resolve(string? kid) =>
        Keys.Where(k => string.Equals(k.KeyId, string.IsNullOrEmpty(kid) ? null : kid, StringComparison.Ordinal)).Select(k => k.Key);

    /// <summary>Whether <paramref name="key"/> is pinned to <paramref name="algorithm"/>: what stops alg:none and algorithm confusion.</summary>
    public bool IsPinnedTo(SecurityKey key, string algorithm) =>
        algorithms.TryGetValue(key, out var pinned) && string.Equals(pinned, algorithm, StringComparison.Ordinal);

    private static string? TryLoad(JwtKeyOptions options, out PinnedKey? key)
    {
        key = null;
        var algorithm = options.Algorithm;
        if (!Supported.Contains(algorithm, StringComparer.Ordinal)) return $"Algorithm must be one of {string.Join(", ", Supported)}, not '{algorithm}'";
        var kid = string.IsNullOrEmpty(options.KeyId) ? null : options.KeyId;
        if (algorithm == HS256)
        {
            if (options.PublicKeyPem is not null || options.PublicKeyFile is not null) return "HS256 takes Secret or SecretBase64, not a public key";
            if ((options.Secret is null) == (options.SecretBase64 is null)) return "HS256 needs exactly one of Secret and SecretBase64";
            var secret = options.Secret is not null ? Encoding.UTF8.GetBytes(options.Secret) : Convert.FromBase64String(options.SecretBase64!);
            if (secret.Length < 32) return "an HS256 secret must be at least 32 bytes";
            key = new PinnedKey(kid, HS256, new SymmetricSecurityKey(secret) { KeyId = kid });
            return null;
        }
        if (options.Secret is not null || options.SecretBase64 is not null) return $"{algorithm} takes a public key, not a secret";
        if ((options.PublicKeyPem is null) == (options.PublicKeyFile is null)) return $"{algorithm} needs exactly one of PublicKeyPem and PublicKeyFile";
        var pem = options.PublicKeyPem ?? File.ReadAllText(options.PublicKeyFile!);
        if (pem.Contains("PRIVATE KEY", StringComparison.Ordinal)) return "this is a private key: configure the public key only";
        var error = algorithm == RS256 ? TryRsa(pem, kid, out var securityKey) : TryEcdsa(pem, kid, out securityKey);
        if (error is null) key = new PinnedKey(kid, algorithm, securityKey!);
        return error;
    }

    private static string? TryRsa(string pem, string? kid, out SecurityKey? key)
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        key = null;
        if (rsa.KeySize < 2048) return "an RS256 key must have at least 2048 bits";
        key = new RsaSecurityKey(rsa) { KeyId = kid };
        return null;
    }

    private static string? TryEcdsa(string pem, string? kid, out SecurityKey? key)
    {
        var ecdsa = ECDsa.Create();
        ecdsa.ImportFromPem(pem);
        key = null;
        if (ecdsa.KeySize != 256) return "an ES256 key must be on the P-256 curve";
        key = new ECDsaSecurityKey(ecdsa) { KeyId = kid };
        return null;
    }

    private static void LoadJwks(string file, List<PinnedKey> keys, List<string> errors)
    {
        JsonWebKeySet set;
        try
        {
            set = new JsonWebKeySet(File.ReadAllText(file));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or System.Text.Json.JsonException)
        {
            errors.Add($"Security:Jwt:JwksFile: '{file}' could not be read as a JWKS document ({ex.GetType().Name})");
            return;
        }
        if (set.Keys.Count == 0) errors.Add($"Security:Jwt:JwksFile: '{file}' holds no keys");
        foreach (var jwk in set.Keys)
        {
            var where = $"Security:Jwt:JwksFile: key '{jwk.Kid}'";
            if (string.IsNullOrEmpty(jwk.Kid))
            {
                errors.Add("Security:Jwt:JwksFile: every key needs a 'kid'");
                continue;
            }
            if (jwk.Use is not (null or "" or "sig"))
            {
                errors.Add($"{where}: 'use' is '{jwk.Use}', not 'sig'");
                continue;
            }
            if (jwk.Kty != JsonWebAlgorithmsKeyTypes.Octet && (jwk.HasPrivateKey || !string.IsNullOrEmpty(jwk.D)))
            {
                errors.Add($"{where}: holds private key material; publish public keys only");
                continue;
            }
            try
            {
                var error = TryJwk(jwk, out var key);
                if (error is not null) errors.Add($"{where}: {error}");
                else keys.Add(key!);
            }
            catch (Exception ex) when (ex is CryptographicException or FormatException or ArgumentException)
            {
                errors.Add($"{where}: could not be read ({ex.GetType().Name})");
            }
        }
    }

    private static string? TryJwk(JsonWebKey jwk, out PinnedKey? key)
    {
        key = null;
        switch (jwk.Kty)
        {
            case JsonWebAlgorithmsKeyTypes.RSA:
            {
                if (jwk.Alg is not (null or "" or RS256)) return $"alg '{jwk.Alg}' is not supported for RSA (RS256 only)";
                var rsa = RSA.Create();
                rsa.ImportParameters(new RSAParameters { Modulus = Base64UrlEncoder.DecodeBytes(jwk.N), Exponent = Base64UrlEncoder.DecodeBytes(jwk.E) });
                if (rsa.KeySize < 2048) return "an RS256 key must have at least 2048 bits";
                key = new PinnedKey(jwk.Kid, RS256, new RsaSecurityKey(rsa) { KeyId = jwk.Kid });
                return null;
            }
            case JsonWebAlgorithmsKeyTypes.EllipticCurve:
            {
                if (jwk.Alg is not (null or "" or ES256)) return $"alg '{jwk.Alg}' is not supported for EC (ES256 only)";
                if (jwk.Crv != JsonWebKeyECTypes.P256) return "an ES256 key must be on the P-256 curve";
                var ecdsa = ECDsa.Create(new ECParameters
                {
                    Curve = ECCurve.NamedCurves.nistP256,
                    Q = new ECPoint { X = Base64UrlEncoder.DecodeBytes(jwk.X), Y = Base64UrlEncoder.DecodeBytes(jwk.Y) },
                });
                key = new PinnedKey(jwk.Kid, ES256, new ECDsaSecurityKey(ecdsa) { KeyId = jwk.Kid });
                return null;
            }
            case JsonWebAlgorithmsKeyTypes.Octet:
            {
                if (jwk.Alg is not (null or "" or HS256)) return $"alg '{jwk.Alg}' is not supported for oct (HS256 only)";
                var secret = Base64UrlEncoder.DecodeBytes(jwk.K);
                if (secret.Length < 32) return "an HS256 secret must be at least 32 bytes";
                key = new PinnedKey(jwk.Kid, HS256, new SymmetricSecurityKey(secret) { KeyId = jwk.Kid });
                return null;
            }
            default:
                return $"kty '{jwk.Kty}' is not supported";
        }
    }
}

/// <summary>A verification key and the one algorithm it may verify.</summary>
internal sealed record PinnedKey(string? KeyId, string Algorithm, SecurityKey Key);
