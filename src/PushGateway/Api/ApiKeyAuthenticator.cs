using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using PushGateway.Security;

namespace PushGateway.Api;

/// <summary>
/// Recognises the API keys of backend services (Security:ApiKeys). Keys are compared as SHA-256
/// digests in constant time, and every configured key is compared whatever matched, so neither
/// the time taken nor an early exit tells a caller how close a guess came.
/// </summary>
public sealed class ApiKeyAuthenticator
{
    public const string Header = "X-Api-Key";

    /// <summary>Longer header values are not hashed: no key is that long.</summary>
    public const int MaxKeyLength = 512;

    private readonly (byte[] Digest, ApiCaller Caller)[] keys;

    public ApiKeyAuthenticator(IOptions<SecurityOptions> options)
    {
        keys = options.Value.ApiKeys.Select(k => (
            k.Key is not null ? SHA256.HashData(Encoding.UTF8.GetBytes(k.Key)) : Convert.FromHexString(k.KeySha256!),
            new ApiCaller(k.Name, TopicPermissions.Parse(k.Topics)))).ToArray();
    }

    public bool IsConfigured => keys.Length > 0;

    public ApiCaller? Authenticate(string? presented)
    {
        if (string.IsNullOrEmpty(presented) || presented.Length > MaxKeyLength) return null;
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), digest);
        ApiCaller? found = null;
        foreach (var (candidate, caller) in keys)
        {
            if (CryptographicOperations.FixedTimeEquals(candidate, digest)) found ??= caller;
        }
        return found;
    }
}

/// <summary>A backend service authenticated by its API key: its name and the topics it may publish to.</summary>
public sealed record ApiCaller(string Name, TopicPermissions Topics);
