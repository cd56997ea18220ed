using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PushGateway.Tests.Security;

/// <summary>
/// Keys for every supported algorithm, the node settings that trust them, and a hand-rolled JWT
/// signer: hand-rolled so tests can forge what no well-behaved library would produce (alg:none,
/// algorithm confusion, jku headers, wrong claim types).
/// </summary>
public sealed class TestKeys : IDisposable
{
    public const string Issuer = "https://auth.test";
    public const string Audience = "pushgw";
    public const string HmacSecret = "hs256-test-secret-that-is-long-enough-0123456789";

    private readonly string directory = Directory.CreateTempSubdirectory("pushgw-keys-").FullName;

    public RSA Rsa { get; } = RSA.Create(2048);

    public ECDsa Ec { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>A key published only through the JWKS file.</summary>
    public RSA JwksRsa { get; } = RSA.Create(2048);

    public ECDsa JwksEc { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>Known to no node.</summary>
    public RSA StrangerRsa { get; } = RSA.Create(2048);

    public string EcPublicKeyFile { get; }

    public string JwksFile { get; }

    public TestKeys()
    {
        EcPublicKeyFile = Path.Combine(directory, "ec.pem");
        File.WriteAllText(EcPublicKeyFile, Ec.ExportSubjectPublicKeyInfoPem());
        JwksFile = Path.Combine(directory, "jwks.json");
        File.WriteAllText(JwksFile, Jwks(("jwks-rsa", JwksRsa), ("jwks-ec", JwksEc)));
    }

    /// <summary>Node settings trusting: HS256 "hs", RS256 "rsa" (PEM inline), ES256 "ec" (PEM file), and the JWKS file.</summary>
    public Dictionary<string, string?> Settings(IDictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Security:Jwt:Issuer"] = Issuer,
            ["Security:Jwt:Audience"] = Audience,
            ["Security:Jwt:ClockSkew"] = "00:00:00",
            ["Security:Jwt:Keys:0:KeyId"] = "hs",
            ["Security:Jwt:Keys:0:Algorithm"] = "HS256",
            ["Security:Jwt:Keys:0:Secret"] = HmacSecret,
            ["Security:Jwt:Keys:1:KeyId"] = "rsa",
            ["Security:Jwt:Keys:1:Algorithm"] = "RS256",
            ["Security:Jwt:Keys:1:PublicKeyPem"] = Rsa.ExportSubjectPublicKeyInfoPem(),
            ["Security:Jwt:Keys:2:KeyId"] = "ec",
            ["Security:Jwt:Keys:2:Algorithm"] = "ES256",
            ["Security:Jwt:Keys:2:PublicKeyFile"] = EcPublicKeyFile,
            ["Security:Jwt:JwksFile"] = JwksFile,
        };
        foreach (var (key, value) in more ?? new Dictionary<string, string?>()) settings[key] = value;
        return settings;
    }

    /// <summary>A valid token for "alice" by default; every part can be changed to make it invalid.</summary>
    public string Token(
        string alg = "HS256",
        string? kid = "hs",
        string? subject = "alice",
        string[]? subscribe = null,
        string[]? publish = null,
        TimeSpan? expiresIn = null,
        TimeSpan? notBeforeIn = null,
        string issuer = Issuer,
        string audience = Audience,
        Action<JsonObject>? header = null,
        Action<JsonObject>? payload = null,
        Func<byte[], byte[]>? sign = null)
    {
        var now = DateTimeOffset.UtcNow;
        var head = new JsonObject { ["alg"] = alg, ["typ"] = "JWT" };
        if (kid is not null) head["kid"] = kid;
        header?.Invoke(head);
        var body = new JsonObject
        {
            ["iss"] = issuer,
            ["aud"] = audience,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = (now + (expiresIn ?? TimeSpan.FromHours(1))).ToUnixTimeSeconds(),
        };
        if (subject is not null) body["sub"] = subject;
        if (notBeforeIn is not null) body["nbf"] = (now + notBeforeIn.Value).ToUnixTimeSeconds();
        if (subscribe is not null) body["sub_topics"] = new JsonArray(subscribe.Select(s => (JsonNode)s!).ToArray());
        if (publish is not null) body["pub_topics"] = new JsonArray(publish.Select(s => (JsonNode)s!).ToArray());
        payload?.Invoke(body);
        return Sign(head.ToJsonString(), body.ToJsonString(), sign ?? SignerFor(alg, kid));
    }

    public static string Sign(string headerJson, string payloadJson, Func<byte[], byte[]> sign)
    {
        var signingInput = Base64Url(Encoding.UTF8.GetBytes(headerJson)) + "." + Base64Url(Encoding.UTF8.GetBytes(payloadJson));
        return signingInput + "." + Base64Url(sign(Encoding.ASCII.GetBytes(signingInput)));
    }

    public Func<byte[], byte[]> SignerFor(string alg, string? kid) => (alg, kid) switch
    {
        ("RS256", "jwks-rsa") => data => JwksRsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        ("ES256", "jwks-ec") => data => JwksEc.SignData(data, HashAlgorithmName.SHA256),
        ("RS256", _) => data => Rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        ("ES256", _) => data => Ec.SignData(data, HashAlgorithmName.SHA256),
        ("none", _) => _ => [],
        _ => data => HMACSHA256.HashData(Encoding.UTF8.GetBytes(HmacSecret), data),
    };

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Jwks(params (string Kid, AsymmetricAlgorithm Key)[] keys)
    {
        var array = new JsonArray();
        foreach (var (kid, key) in keys)
        {
            if (key is RSA rsa)
            {
                var p = rsa.ExportParameters(false);
                array.Add(new JsonObject { ["kty"] = "RSA", ["kid"] = kid, ["use"] = "sig", ["alg"] = "RS256", ["n"] = Base64Url(p.Modulus!), ["e"] = Base64Url(p.Exponent!) });
            }
            else if (key is ECDsa ec)
            {
                var p = ec.ExportParameters(false);
                array.Add(new JsonObject { ["kty"] = "EC", ["kid"] = kid, ["use"] = "sig", ["crv"] = "P-256", ["x"] = Base64Url(p.Q.X!), ["y"] = Base64Url(p.Q.Y!) });
            }
        }
        return new JsonObject { ["keys"] = array }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    public void Dispose()
    {
        Rsa.Dispose();
        Ec.Dispose();
        JwksRsa.Dispose();
        JwksEc.Dispose();
        StrangerRsa.Dispose();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
